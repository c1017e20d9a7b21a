import Doppel

/// Registers every named task the pipeline runs through the executor, so that this executable's
/// worker processes (processes backend) know them. Called first thing in main.swift.
func registerDoppelTasks() {
    PipelineTasks.register()
}
