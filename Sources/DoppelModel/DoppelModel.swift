// DoppelModel: the TabularARGN-style flat model, its training loop and its sampler.
// It works on integer codes only (see docs/model.md); tables and files of the pipeline live elsewhere.
