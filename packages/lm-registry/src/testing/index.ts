export { startFakeOpenAIServer, fakeTokenize } from './fake-server.ts';
export type { FakeServer, FakeServerOptions, FakeHandler, FakeReply, FakeRequest, FakeEndpoint } from './fake-server.ts';
export { fakeProvidersConfig } from './fake-config.ts';
