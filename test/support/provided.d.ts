/** What test/support/global-setup.ts provides to integration tests through `inject()`. */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared app server, e.g. http://127.0.0.1:41234 */
    baseUrl: string;
    /** The fake OpenAI-compatible server, including /v1 */
    fakeOpenAIUrl: string;
    /** The fresh PostgreSQL database the app uses, or "" when it uses PGlite. */
    databaseUrl: string;
    /** JSON of the env the app server was started with (parse it with `providedAppEnv()`). */
    appEnv: string;
  }
}
