/** Types of scripts/postbuild.mjs (imported by test/integration/ops-standalone.test.ts). */
export function completeStandalone(projectRoot?: string, standalone?: string): string;
