import DoppelParallel

// A worker executable for the processes backend's tests: registers the test tasks, then serves
// them when started as a worker.
FixtureTasks.registerAll()
WorkerProcess.runIfRequested()
print("doppel-worker-fixture: not started as a worker (\(WorkerProcess.environmentKey) is not set)")
