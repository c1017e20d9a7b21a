import DoppelNN
import DoppelParallel

registerDoppelTasks()
// A worker process of the processes backend serves task requests here and exits.
WorkerProcess.runIfRequested()
// OpenBLAS reads its settings at load time: start again with them where they are missing.
BLASRuntime.restartWithRecommendedEnvironment(arguments: CommandLine.arguments)
DoppelCommand.main()
