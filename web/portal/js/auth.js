// Staff sign-in with Cognito.
//
// - "password" (the local stack: moto has no hosted UI): InitiateAuth with
//   USER_PASSWORD_AUTH against `auth.cognitoUrl`.
// - "hosted" (a deployment): the hosted UI with the authorization code flow and PKCE
//   (S256 challenge from WebCrypto, a one-time `state`), the code exchanged at the token
//   endpoint by this page (a public client: no secret).
//
// Tokens live in this tab's sessionStorage only: never localStorage, never cookies. They
// go when the tab closes, on sign-out, on expiry and on any 401 from the API.

const SESSION_KEY = "rs-portal.session";
const PKCE_KEY = "rs-portal.sign-in";
const PKCE_MAX_AGE_MS = 10 * 60 * 1000;
const EXPIRY_MARGIN_MS = 30 * 1000;

export class SignInError extends Error {
  constructor(message, { field = null } = {}) {
    super(message);
    this.field = field;
  }
}

/** The signed-in session, or null when there is none or its token has expired. */
export function currentSession() {
  let session;
  try {
    session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    session = null;
  }
  if (!session || typeof session.accessToken !== "string") return null;
  if (!(session.expiresAt > Date.now() + EXPIRY_MARGIN_MS)) {
    forgetSession();
    return null;
  }
  return session;
}

/** Drop every token and any sign-in in progress. */
export function forgetSession() {
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(PKCE_KEY);
}

function keepSession(accessToken, expiresInSeconds) {
  const claims = jwtClaims(accessToken);
  const expiresAt =
    typeof claims.exp === "number"
      ? claims.exp * 1000
      : Date.now() + (Number(expiresInSeconds) || 3600) * 1000;
  const session = {
    accessToken,
    expiresAt,
    username: String(claims.username || claims["cognito:username"] || claims.sub || ""),
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** The claims of a JWT, read without verifying (the API verifies; this is for display). */
function jwtClaims(token) {
  try {
    const payload = token.split(".")[1];
    const padded = payload.replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(padded + "===".slice((padded.length + 3) % 4)), (c) => c.charCodeAt(0)),
    );
    return JSON.parse(json) || {};
  } catch {
    return {};
  }
}

// --- password (local stack) -------------------------------------------------------------

/** Sign in with a username and password (USER_PASSWORD_AUTH). */
export async function signInWithPassword(auth, username, password) {
  let response;
  try {
    response = await fetch(auth.cognitoUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      credentials: "omit",
      cache: "no-store",
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: auth.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    });
  } catch {
    throw new SignInError("Sign-in is not available at the moment. Try again shortly.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const kind = String(body.__type || body.code || "")
      .split("#")
      .pop();
    if (["NotAuthorizedException", "UserNotFoundException"].includes(kind)) {
      throw new SignInError("The username or password is not right.", { field: "password" });
    }
    if (kind === "PasswordResetRequiredException") {
      throw new SignInError("Your password must be reset before you can sign in.");
    }
    throw new SignInError("Sign-in is not available at the moment. Try again shortly.");
  }
  const result = body.AuthenticationResult;
  if (!result || !result.AccessToken) {
    // A challenge (a new password, a second factor) needs the hosted UI.
    throw new SignInError(
      "This account needs a step this page cannot do (for example setting a new password).",
    );
  }
  return keepSession(result.AccessToken, result.ExpiresIn);
}

// --- hosted UI with authorization code and PKCE (a deployment) ------------------------

function base64url(bytes) {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(byteCount) {
  return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

async function s256(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(digest);
}

function hostedBase(auth) {
  return auth.domain.replace(/\/+$/, "");
}

function redirectUri(auth) {
  return auth.redirectUri || `${location.origin}${location.pathname}`;
}

/** Go to the hosted UI; `returnTo` (a hash route) is where to land after signing in. */
export async function beginHostedSignIn(auth, returnTo) {
  if (!window.isSecureContext || !crypto.subtle) {
    throw new SignInError("Sign-in needs a secure (https) connection.");
  }
  const verifier = randomString(48);
  const state = randomString(32);
  const challenge = await s256(verifier);
  sessionStorage.setItem(
    PKCE_KEY,
    JSON.stringify({ verifier, state, returnTo: returnTo || "", startedAt: Date.now() }),
  );
  const query = new URLSearchParams({
    response_type: "code",
    client_id: auth.clientId,
    redirect_uri: redirectUri(auth),
    scope: auth.scopes || "openid",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${hostedBase(auth)}/oauth2/authorize?${query}`);
}

/**
 * If this page is the hosted UI's redirect (`?code=&state=` or `?error=`), finish signing
 * in: check the state, exchange the code with the PKCE verifier, keep the token, and take
 * the query off the address. Returns {session, returnTo}, or null if not a redirect.
 */
export async function completeHostedSignIn(auth) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, "", `${location.pathname}${pending?.returnTo || "#/"}`);

  if (params.has("error")) {
    throw new SignInError("Sign-in was cancelled or refused. Try again.");
  }
  const code = params.get("code");
  const state = params.get("state");
  if (
    !pending ||
    !state ||
    state !== pending.state ||
    Date.now() - pending.startedAt > PKCE_MAX_AGE_MS
  ) {
    throw new SignInError("That sign-in could not be checked. Sign in again.");
  }
  let response;
  try {
    response = await fetch(`${hostedBase(auth)}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "omit",
      cache: "no-store",
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: auth.clientId,
        code,
        redirect_uri: redirectUri(auth),
        code_verifier: pending.verifier,
      }),
    });
  } catch {
    throw new SignInError("Sign-in is not available at the moment. Try again shortly.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new SignInError("That sign-in could not be completed. Sign in again.");
  }
  return { session: keepSession(body.access_token, body.expires_in), returnTo: pending.returnTo };
}

/** Sign out: forget the tokens; in hosted mode also end the hosted UI's session. */
export function signOut(auth) {
  forgetSession();
  if (auth && auth.mode === "hosted" && auth.logoutUri) {
    const query = new URLSearchParams({ client_id: auth.clientId, logout_uri: auth.logoutUri });
    location.assign(`${hostedBase(auth)}/logout?${query}`);
    return true;
  }
  return false;
}
