"""The assistant's offline retrieval engine: language identification, tokenisation, BM25,
packaged multilingual embeddings, fusion and calibrated confidence. No Django here: the engine
works on plain phrasings so it can be tested and benchmarked on its own."""
