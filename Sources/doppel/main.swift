import Doppel
import DoppelNN
import DoppelParallel

registerDoppelTasks()
// A worker process of the processes backend serves task requests here and exits.
WorkerProcess.runIfRequested()
// A task of the dask and spark backends (`doppel __task NAME`) runs here and exits.
OneShotTask.runIfRequested(version: DoppelVersion.current)
// OpenBLAS reads its settings at load time: start again with them where they are missing.
BLASRuntime.restartWithRecommendedEnvironment(arguments: CommandLine.arguments)
DoppelCommand.main()
