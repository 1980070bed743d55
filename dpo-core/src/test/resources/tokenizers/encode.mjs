import { PreTrainedTokenizer, AutoTokenizer, env } from '@huggingface/transformers';
import fs from 'fs';
const [,, dir, textsFile] = process.argv;
const tokenizerJSON = JSON.parse(fs.readFileSync(dir + '/tokenizer.json', 'utf8'));
const tokenizerConfig = JSON.parse(fs.readFileSync(dir + '/tokenizer_config.json', 'utf8'));
const tok = new PreTrainedTokenizer(tokenizerJSON, tokenizerConfig);
const texts = JSON.parse(fs.readFileSync(textsFile, 'utf8'));
const out = texts.map(t => Array.from(tok.encode(t, { add_special_tokens: false })));
console.log(JSON.stringify(out));
