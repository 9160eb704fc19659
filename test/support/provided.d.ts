/** What test/support/global-setup.ts provides to integration tests through `inject()`. */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /**
     * JSON of one SharedStack (test/support/context.ts) per integration worker: read it with
     * sharedBaseUrl(), sharedFakeOpenAIUrl(), providedDatabaseUrl() and providedAppEnv().
     */
    sharedStacks: string;
  }
}
