"""The backends: embedded GGUF models, OpenAI-compatible servers, scripted lines."""
