"""Training examples from LLaVA JSON, Hugging Face datasets on disk and our shards; tokenization."""
