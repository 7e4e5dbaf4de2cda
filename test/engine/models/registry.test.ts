import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicChatModel } from '../../../src/engine/models/anthropic.js';
import { OpenAIChatModel } from '../../../src/engine/models/openai.js';
import {
  clearModelListCache,
  createChatModel,
  listModels,
  type ModelConfig,
} from '../../../src/engine/models/registry.js';
import { AppError } from '../../../src/errors.js';
import { closedPort, type FakeLlm, startFakeLlm } from '../../helpers/fake-llm.js';

const none: ModelConfig = {
  openaiApiKey: undefined,
  openaiBaseUrl: undefined,
  anthropicApiKey: undefined,
  defaultModel: 'builtin',
};

describe('model registry', () => {
  beforeEach(() => clearModelListCache());

  it('lists only builtin without any provider, as the default', async () => {
    const { models, reason } = await listModels(none);
    expect(models).toEqual([
      { id: 'builtin', provider: 'builtin', label: 'Built-in (offline)', default: true },
    ]);
    expect(reason).toBeUndefined();
  });

  it('lists the fixed OpenAI and Anthropic models when their keys are set', async () => {
    const config = { ...none, openaiApiKey: 'sk-x', anthropicApiKey: 'ak-x', defaultModel: 'gpt-4o-mini' };
    const { models } = await listModels(config);
    const ids = models.map((m) => m.id);
    expect(ids).toContain('gpt-4o-mini');
    expect(ids).toContain('gpt-4.1');
    expect(ids.filter((id) => id.startsWith('claude-')).length).toBeGreaterThan(0);
    expect(models.filter((m) => m.default).map((m) => m.id)).toEqual(['gpt-4o-mini']);
    expect(models.find((m) => m.id.startsWith('claude-'))?.provider).toBe('anthropic');
  });

  it("lists an operator's newer DEFAULT_MODEL when its provider is configured", async () => {
    const { models } = await listModels({ ...none, openaiApiKey: 'sk-x', defaultModel: 'gpt-5-mini' });
    expect(models.find((m) => m.default)).toMatchObject({ id: 'gpt-5-mini', provider: 'openai' });
  });

  describe('with OPENAI_BASE_URL', () => {
    let llm: FakeLlm;
    beforeEach(async () => {
      llm = await startFakeLlm({ models: ['qwen2.5:7b', 'llama3.2:latest', 'nomic-embed-text:latest'] });
    });
    afterEach(async () => {
      await llm.close();
    });

    it("lists the server's chat models, cached", async () => {
      const config = { ...none, openaiBaseUrl: llm.url, defaultModel: 'qwen2.5:7b' };
      const first = await listModels(config);
      expect(first.models.map((m) => m.id)).toEqual(['builtin', 'llama3.2:latest', 'qwen2.5:7b']);
      expect(first.models.find((m) => m.id === 'qwen2.5:7b')).toMatchObject({
        provider: 'openai',
        default: true,
      });
      expect(first.models[1]!.label).toContain(`127.0.0.1:${llm.port}`);
      await listModels(config);
      expect(llm.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    });

    it('creates OpenAI-compatible clients for any id on that server', () => {
      const model = createChatModel({ ...none, openaiBaseUrl: llm.url }, 'llama3.2:latest');
      expect(model).toBeInstanceOf(OpenAIChatModel);
      expect(model.id).toBe('llama3.2:latest');
    });
  });

  it('lists nothing for a base URL that is down, and says why', async () => {
    const port = await closedPort();
    const { models, reason } = await listModels({ ...none, openaiBaseUrl: `http://127.0.0.1:${port}/v1` });
    expect(models.map((m) => m.id)).toEqual(['builtin']);
    expect(models[0]!.default).toBe(true);
    expect(reason).toContain(`127.0.0.1:${port}`);
  });

  it('routes claude-* to Anthropic and refuses unusable ids with bad_input', () => {
    expect(createChatModel({ ...none, anthropicApiKey: 'ak' }, 'claude-haiku-4-5')).toBeInstanceOf(
      AnthropicChatModel,
    );
    expect(createChatModel({ ...none, openaiApiKey: 'sk' }, 'gpt-4o')).toBeInstanceOf(OpenAIChatModel);
    for (const [config, id] of [
      [none, 'gpt-4o'],
      [{ ...none, openaiApiKey: 'sk' }, 'claude-haiku-4-5'],
      [{ ...none, openaiApiKey: 'sk' }, 'mistral-large'],
      [{ ...none, openaiApiKey: 'sk' }, 'builtin'],
    ] as const) {
      expect(() => createChatModel(config, id)).toThrow(AppError);
      try {
        createChatModel(config, id);
      } catch (error) {
        expect((error as AppError).code).toBe('bad_input');
      }
    }
  });
});
