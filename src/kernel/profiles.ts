// The two API generations a kernel may speak. Everything that differs between
// them (routes, bodies, environment variables) lives here, so the runner and
// the client never branch on the API name themselves.

/** The API generations, in the order shown to users. One list for CLI, action and docs. */
export const API_NAMES = ['v1', '2024'] as const;

export type ApiName = (typeof API_NAMES)[number];

export function isApiName(value: unknown): value is ApiName {
  return typeof value === 'string' && (API_NAMES as readonly string[]).includes(value);
}

/** The namespace served from the watched directory. */
export const NAMESPACE = 'dev';

export interface KernelEnvOptions {
  /** `host:port` the kernel listens on, e.g. `127.0.0.1:8081`. */
  address: string;
  /** Absolute path of the watched skills directory. */
  skillsDir: string;
  /** Rescan interval of the directory, e.g. `1s`. */
  updateInterval: string;
  /** e.g. `info`. */
  logLevel: string;
  /** Bearer token; the variable is only set when a token is given. */
  token?: string;
  /** v1 only: Prometheus listener, e.g. `127.0.0.1:9000`; left to the kernel's default when absent. */
  metricsAddress?: string;
}

export interface RunRequest {
  method: 'POST';
  path: string;
  body: string;
}

export interface DropRequest {
  method: 'DELETE';
  path: string;
}

export interface ApiProfile {
  name: ApiName;
  /** Environment variable holding the listen address. */
  addressVar: string;
  /** Environment variable holding the bearer token. */
  tokenVar: string;
  /**
   * True when the kernel has no variable for the watched directory and serves
   * `./skills` relative to its working directory: the runner must start it with
   * cwd = a fresh directory whose `skills/` is the watched one (and no
   * `operator-config.toml` there).
   */
  skillsDirFromCwd: boolean;
  /** GET routes. */
  health: string;
  listSkills: string;
  cachedSkills: string;
  /** `skill` is a bare name (`a` → `dev/a`) or already qualified (`ns/a`). */
  run(skill: string, input: object): RunRequest;
  drop(skill: string): DropRequest;
  env(opts: KernelEnvOptions): Record<string, string>;
}

/** `a` → `dev/a`; a name that already names its namespace is kept. */
export function qualify(skill: string): string {
  return skill.includes('/') ? skill : `${NAMESPACE}/${skill}`;
}

/** `dev/a` → `a`; names in other namespaces keep their prefix. */
export function unqualify(skill: string): string {
  const prefix = `${NAMESPACE}/`;
  return skill.startsWith(prefix) ? skill.slice(prefix.length) : skill;
}

/** `dev/a b` → `dev/a%20b`: each part encoded, the separating slash kept. */
function pathOf(skill: string): string {
  return qualify(skill).split('/').map(encodeURIComponent).join('/');
}

function commonEnv(opts: KernelEnvOptions): Record<string, string> {
  return { NAMESPACE_UPDATE_INTERVAL: opts.updateInterval, LOG_LEVEL: opts.logLevel };
}

const V1: ApiProfile = {
  name: 'v1',
  addressVar: 'KERNEL_ADDRESS',
  tokenVar: 'PHARIA_AI_TOKEN',
  skillsDirFromCwd: false,
  health: '/health',
  listSkills: '/v1/skills',
  cachedSkills: '/cached_skills',
  run: (skill, input) => ({
    method: 'POST',
    path: `/v1/skills/${pathOf(skill)}/run`,
    body: JSON.stringify(input),
  }),
  drop: (skill) => ({ method: 'DELETE', path: `/cached_skills/${pathOf(skill)}` }),
  env(opts) {
    const env: Record<string, string> = {
      ...commonEnv(opts),
      KERNEL_ADDRESS: opts.address,
      NAMESPACES__DEV__DIRECTORY: opts.skillsDir,
    };
    if (opts.metricsAddress !== undefined) env.METRICS_ADDRESS = opts.metricsAddress;
    if (opts.token !== undefined) env.PHARIA_AI_TOKEN = opts.token;
    return env;
  },
};

const V2024: ApiProfile = {
  name: '2024',
  addressVar: 'PHARIA_KERNEL_ADDRESS',
  tokenVar: 'AA_API_TOKEN',
  skillsDirFromCwd: true,
  health: '/healthcheck',
  listSkills: '/skills',
  cachedSkills: '/cached_skills',
  run: (skill, input) => ({
    method: 'POST',
    path: '/execute_skill',
    body: JSON.stringify({ skill: qualify(skill), input }),
  }),
  // This kernel takes the qualified name as ONE path segment: `dev%2Fa`.
  drop: (skill) => ({
    method: 'DELETE',
    path: `/cached_skills/${encodeURIComponent(qualify(skill))}`,
  }),
  env(opts) {
    // No directory variable: `skillsDir` must be `<cwd>/skills` (see skillsDirFromCwd).
    const env: Record<string, string> = { ...commonEnv(opts), PHARIA_KERNEL_ADDRESS: opts.address };
    if (opts.token !== undefined) env.AA_API_TOKEN = opts.token;
    return env;
  },
};

export const PROFILES: Readonly<Record<ApiName, ApiProfile>> = { v1: V1, '2024': V2024 };

export function profileFor(name: ApiName): ApiProfile {
  return PROFILES[name];
}

/** Alias of {@link profileFor}. */
export const getProfile = profileFor;
