import { AxMockAIService } from '@ax-llm/ax';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUCTION, GenerationProgram, buildProgramInputs, shortenPost } from './program.ts';

const inputs = buildProgramInputs({ topic: 'docs', rulesText: 'X: 280.', strategy: { name: 'A', brief: 'b' }, examples: ['one', 'two'] });

function reply(content: string, finishReason: 'stop' | 'length' = 'stop') {
  return new AxMockAIService<string>({ chatResponse: async () => ({ results: [{ index: 0, content, finishReason }] }) });
}

describe('GenerationProgram', () => {
  it('never runs with an empty instruction', () => {
    const program = new GenerationProgram({ instruction: '   ' });
    expect(program.instruction).toBe(DEFAULT_INSTRUCTION);
    program.setInstruction('');
    expect(program.instruction).toBe(DEFAULT_INSTRUCTION);
    program.setInstruction('Be brief.');
    expect(program.components()).toEqual({ instruction: 'Be brief.' });
  });

  it('takes an unlabelled reply as the post, as small local models give', async () => {
    const out = await new GenerationProgram().run(reply('just the post text'), inputs);
    expect(out).toMatchObject({ postText: 'just the post text', truncated: false });
  });

  it('recovers a post cut off at the token limit as a truncated draft', async () => {
    const out = await new GenerationProgram().run(reply('Post Text: half a sen', 'length'), inputs);
    expect(out).toMatchObject({ postText: 'half a sen', truncated: true });
    const short = await shortenPost(reply('Shortened Post: also cut', 'length'), 'long draft', 'At most 10', { temperature: 0.7, maxTokens: 5 });
    expect(short).toMatchObject({ text: 'also cut', truncated: true });
  });

  it('returns thread parts from a list', async () => {
    const out = await new GenerationProgram().run(reply('1. first part\n2. second part'), inputs, undefined, { thread: true });
    expect(out.threadParts).toEqual(['first part', 'second part']);
  });

  it('numbers the author examples for the prompt', () => {
    expect(inputs.authorExamples).toBe('Example 1:\none\n\nExample 2:\ntwo');
    expect(buildProgramInputs({ topic: 't', rulesText: 'r', strategy: undefined, examples: [], thread: true })).toMatchObject({
      authorExamples: '(no past posts yet)',
      platformRules: 'r Write a thread: each part must fit the limit.',
    });
  });
});
