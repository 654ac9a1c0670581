// Where the provider's users live. A directory answers the questions Cognito's user pool answers
// for its managed login:
//   authenticate(login, password)          → { user } | { challenge: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA', session } | { refused }
//   completeNewPassword(login, session, pw) → { user } | { challenge: 'SOFTWARE_TOKEN_MFA', session } | { refused }
//   completeMfa(login, session, code)       → { user } | { refused }   (the authenticator app's code)
//   find(username)                         → the user, or undefined when unknown or disabled
// and, for the pool's own user API the page calls with its access token (registering an
// authenticator), `userApi(username, operation, input)` answers Cognito's JSON operations for the
// user with the pool's own access token of their last sign-in.
// A user is { sub, username, email, emailVerified, name, groups, enabled }. `refused` carries
// Cognito's own message ("Incorrect username or password.", "User is disabled.", a password
// policy message) so the login page can show it.
//
// staticDirectory keeps users in memory (tests, local use); cognitoDirectory reads a
// Cognito-compatible user pool (moto's cognito-idp in the tests) through the AWS SDK with the
// administrator API calls a back end would use.
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRespondToAuthChallengeCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomUUID } from 'node:crypto';

export const INCORRECT = 'Incorrect username or password.';
export const DISABLED = 'User is disabled.';
export const WRONG_CODE = 'Invalid code received for user';
/** The user-pool operations a page may call with its access token (the authenticator's registration). */
export const USER_OPERATIONS = {
  AssociateSoftwareToken: AssociateSoftwareTokenCommand,
  VerifySoftwareToken: VerifySoftwareTokenCommand,
  SetUserMFAPreference: SetUserMFAPreferenceCommand,
  GetUser: GetUserCommand,
};
const MIN_PASSWORD = 8;

function checkUsers(users) {
  if (!Array.isArray(users)) throw new TypeError('staticDirectory: users must be an array');
  const seen = new Set();
  for (const [i, u] of users.entries()) {
    for (const key of ['sub', 'username', 'password']) {
      if (typeof u?.[key] !== 'string' || u[key] === '') throw new TypeError(`staticDirectory: users[${i}].${key} must be a non-empty string`);
    }
    if (u.groups !== undefined && !(Array.isArray(u.groups) && u.groups.every((g) => typeof g === 'string'))) {
      throw new TypeError(`staticDirectory: users[${i}].groups must be an array of strings`);
    }
    if (seen.has(u.username)) throw new TypeError(`staticDirectory: username '${u.username}' appears twice`);
    seen.add(u.username);
  }
}

/**
 * Users kept in memory: `[{ sub, username, email, name, password, groups, enabled,
 * forceChangePassword }]`. Sign-in by username or email; `enabled: false` refuses the user as
 * Cognito does; `forceChangePassword: true` asks for a new password first (Cognito's
 * FORCE_CHANGE_PASSWORD state). `setEnabled(username, on)` changes a user while running.
 */
export function staticDirectory(users) {
  checkUsers(users);
  const byName = new Map(
    users.map((u) => [
      u.username,
      { ...u, groups: [...(u.groups ?? [])], enabled: u.enabled !== false, forceChangePassword: u.forceChangePassword === true },
    ]),
  );
  const challenges = new Map();
  const lookup = (login) => byName.get(login) ?? [...byName.values()].find((u) => u.email && u.email === login);
  const view = (u) => ({
    sub: u.sub,
    username: u.username,
    email: u.email,
    emailVerified: u.emailVerified ?? !!u.email,
    name: u.name,
    groups: [...u.groups],
    enabled: u.enabled,
  });
  return {
    async authenticate(login, password) {
      const u = lookup(login);
      if (!u || u.password !== password) return { refused: INCORRECT };
      if (!u.enabled) return { refused: DISABLED };
      if (u.forceChangePassword) {
        const session = randomUUID();
        challenges.set(session, u.username);
        return { challenge: 'NEW_PASSWORD_REQUIRED', session };
      }
      return { user: view(u) };
    },
    async completeNewPassword(login, session, newPassword) {
      const u = lookup(login);
      if (!u || challenges.get(session) !== u.username) return { refused: 'Invalid session for the user, session is expired.' };
      if (typeof newPassword !== 'string' || newPassword.length < MIN_PASSWORD) {
        return { refused: `Password does not conform to policy: Password not long enough` };
      }
      challenges.delete(session);
      u.password = newPassword;
      u.forceChangePassword = false;
      return { user: view(u) };
    },
    async find(username) {
      const u = byName.get(username);
      return u && u.enabled ? view(u) : undefined;
    },
    setEnabled(username, enabled) {
      const u = byName.get(username);
      if (!u) throw new Error(`no user '${username}'`);
      u.enabled = enabled;
    },
  };
}

/**
 * A Cognito user pool (or a server speaking its API, such as moto's) as the user store:
 * AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, AdminRespondToAuthChallenge for
 * NEW_PASSWORD_REQUIRED, AdminGetUser for the attributes and AdminListGroupsForUser for the
 * groups. Static dummy credentials: the endpoint is a local test server.
 */
export function cognitoDirectory({ endpoint, region, userPoolId, clientId }) {
  for (const [key, value] of Object.entries({ endpoint, region, userPoolId, clientId })) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`cognitoDirectory: ${key} must be a non-empty string`);
  }
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });

  // The pool's access token of each user's last sign-in, for the user API.
  const accessTokens = new Map();

  const refusal = (e) => {
    if (e?.name === 'CodeMismatchException' || (e?.name === 'ResourceNotFoundException' && /code|session/i.test(e.message ?? ''))) return { refused: WRONG_CODE };
    if (e?.name === 'NotAuthorizedException' && /disabled/i.test(e.message ?? '')) return { refused: DISABLED };
    if (e?.name === 'NotAuthorizedException' || e?.name === 'UserNotFoundException') return { refused: INCORRECT };
    if (e?.name === 'InvalidPasswordException') return { refused: e.message };
    throw e;
  };

  const load = async (login) => {
    const got = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: login }));
    const attrs = Object.fromEntries((got.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    const groups = [];
    let NextToken;
    do {
      const page = await client.send(
        new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: got.Username, ...(NextToken ? { NextToken } : {}) }),
      );
      for (const g of page.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
      NextToken = page.NextToken;
    } while (NextToken);
    return {
      sub: attrs.sub,
      username: got.Username,
      email: attrs.email,
      emailVerified: attrs.email_verified === 'true',
      name: attrs.name,
      groups,
      enabled: got.Enabled !== false,
    };
  };

  const signedIn = async (login, result) => {
    const user = await load(login);
    if (!user.enabled) return { refused: DISABLED };
    if (result?.AccessToken) accessTokens.set(user.username, result.AccessToken);
    return { user };
  };

  // What a sign-in step answered: tokens, or the next challenge.
  const next = (login, out) => {
    if (out.ChallengeName === 'NEW_PASSWORD_REQUIRED' || out.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
      return { challenge: out.ChallengeName, session: out.Session };
    }
    if (out.ChallengeName) return { refused: `This sign-in needs the ${out.ChallengeName} step, which this login page does not offer.` };
    return signedIn(login, out.AuthenticationResult);
  };

  return {
    async authenticate(login, password) {
      let out;
      try {
        out = await client.send(
          new AdminInitiateAuthCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: login, PASSWORD: password },
          }),
        );
      } catch (e) {
        return refusal(e);
      }
      return next(login, out);
    },
    async completeNewPassword(login, session, newPassword) {
      let out;
      try {
        out = await client.send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: session,
            ChallengeResponses: { USERNAME: login, NEW_PASSWORD: newPassword },
          }),
        );
      } catch (e) {
        return refusal(e);
      }
      return next(login, out);
    },
    async completeMfa(login, session, code) {
      let out;
      try {
        out = await client.send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            ChallengeName: 'SOFTWARE_TOKEN_MFA',
            Session: session,
            ChallengeResponses: { USERNAME: login, SOFTWARE_TOKEN_MFA_CODE: code },
          }),
        );
      } catch (e) {
        return refusal(e);
      }
      return next(login, out);
    },
    async userApi(username, operation, input) {
      const token = accessTokens.get(username);
      const Command = USER_OPERATIONS[operation];
      if (!token || !Command) throw Object.assign(new Error('Access Token has been revoked'), { name: 'NotAuthorizedException' });
      const { $metadata, ...out } = await client.send(new Command({ ...input, AccessToken: token }));
      void $metadata;
      return out;
    },
    async find(username) {
      try {
        const user = await load(username);
        return user.enabled ? user : undefined;
      } catch (e) {
        if (e?.name === 'UserNotFoundException') return undefined;
        throw e;
      }
    },
    close() {
      accessTokens.clear();
      client.destroy();
    },
  };
}
