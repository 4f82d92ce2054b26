// Where the API and sign-in are: `/config.json`, written next to the pages by the
// deployment and served by the local stack.
//
//   {"apiUrl": "/api",
//    "auth": {"mode": "password", "cognitoUrl": "/cognito/", "clientId": "...", "region": "..."}}
//   {"apiUrl": "https://api.example.ac.uk",
//    "auth": {"mode": "hosted", "domain": "https://login.example.ac.uk", "clientId": "...",
//             "redirectUri": "https://reports.example.ac.uk/portal/", "scopes": "openid",
//             "logoutUri": "https://reports.example.ac.uk/portal/"}}

let loaded = null;

export class ConfigError extends Error {}

/** Load and check the site configuration once. */
export async function loadConfig() {
  if (loaded) return loaded;
  let body;
  try {
    const response = await fetch("/config.json", {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    });
    if (!response.ok) throw new ConfigError(`config.json answered ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw error instanceof ConfigError ? error : new ConfigError("config.json could not be read");
  }
  const auth = body.auth || {};
  if (typeof body.apiUrl !== "string" || !body.apiUrl) {
    throw new ConfigError("config.json has no apiUrl");
  }
  if (auth.mode === "password") {
    if (!auth.cognitoUrl || !auth.clientId) {
      throw new ConfigError("password sign-in needs auth.cognitoUrl and auth.clientId");
    }
  } else if (auth.mode === "hosted") {
    if (!auth.domain || !auth.clientId) {
      throw new ConfigError("hosted sign-in needs auth.domain and auth.clientId");
    }
  } else {
    throw new ConfigError("config.json has no auth.mode (password or hosted)");
  }
  loaded = Object.freeze({
    apiUrl: body.apiUrl.replace(/\/+$/, ""),
    auth: Object.freeze({ ...auth }),
  });
  return loaded;
}
