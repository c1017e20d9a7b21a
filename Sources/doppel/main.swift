import DoppelParallel

registerDoppelTasks()
// A worker process of the processes backend serves task requests here and exits.
WorkerProcess.runIfRequested()
DoppelCommand.main()
