"""Embedding backends: the packaged all-MiniLM-L6-v2 in numpy (`minilm`), or any
OpenAI-compatible server (`openai_compatible`), chosen by a spec string (`spec`).

Only the protocol is imported here: the backends pull in tokenizers, safetensors or the openai
SDK, which a command that never embeds should not pay for at start-up.
"""

from personae.memory.embeddings.protocol import Embedder, Matrix, Vector, normalise_rows

__all__ = ["Embedder", "Matrix", "Vector", "normalise_rows"]
