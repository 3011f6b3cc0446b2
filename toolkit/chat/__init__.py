"""The one seam to a chat model: endpoint configuration, the OpenAI-compatible client, the response
cache, model facts (context windows, prices), the local llama.cpp server, the Batch API client.

May import: the root values only (`errors`, `models`).
"""
