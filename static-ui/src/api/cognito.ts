//! The user pool's own API, called from the page with the signed-in user's access token (no AWS
//! credentials: Cognito authorises these calls by the token). Only what registering an
//! authenticator app needs.

/** An error the user pool answered (`CodeMismatchException`, `NotAuthorizedException`, …). */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'CognitoError';
  }
}

async function call<T>(endpoint: string, operation: string, body: object): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new CognitoError('network', e instanceof Error ? e.message : String(e));
  }
  const out = (await res.json().catch(() => ({}))) as { __type?: string; message?: string } & T;
  if (!res.ok) throw new CognitoError(String(out.__type ?? `http_${res.status}`).split('#').pop() ?? 'error', out.message ?? res.statusText);
  return out;
}

/** Starts registering an authenticator: the secret the app is given (base32). */
export const associateSoftwareToken = (endpoint: string, accessToken: string) =>
  call<{ SecretCode: string }>(endpoint, 'AssociateSoftwareToken', { AccessToken: accessToken });

/** Checks a code the app shows; a wrong one is `CodeMismatchException`. */
export const verifySoftwareToken = (endpoint: string, accessToken: string, code: string) =>
  call<{ Status: string }>(endpoint, 'VerifySoftwareToken', { AccessToken: accessToken, UserCode: code, FriendlyDeviceName: 'operator-console' });

/** Makes the authenticator the user's (preferred) second factor. */
export const preferSoftwareToken = (endpoint: string, accessToken: string) =>
  call<object>(endpoint, 'SetUserMFAPreference', { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
