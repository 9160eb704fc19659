export function e2eMailDir(projectRoot: string, port: number): string;
