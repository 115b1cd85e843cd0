using System.Text;
using Gateway.Smtp.Protocol;
using Gateway.Smtp.Server.Logging;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    private const string Plain = "PLAIN";
    private const string Login = "LOGIN";

    // RFC 4954 4 and the LOGIN draft: the challenges are "Username:" and "Password:" in base64.
    private const string LoginUserChallenge = "VXNlcm5hbWU6";
    private const string LoginPasswordChallenge = "UGFzc3dvcmQ6";

    /// <summary>AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, only inside TLS.</summary>
    private async ValueTask<bool> AuthAsync(AuthCommand auth)
    {
        if (!_options.AuthEnabled || _credentials is null)
        {
            return CountError(ServerReplies.AuthNotEnabled);
        }

        if (_connection.Tls is null)
        {
            return Reply(ServerReplies.EncryptionRequiredForAuth);
        }

        if (_facts.IsAuthenticated)
        {
            // RFC 4954 4: AUTH is not permitted once a client is authenticated.
            return CountError(ServerReplies.AlreadyAuthenticated);
        }

        if (SmtpStateTable.Check(_state, SmtpVerb.Auth) is { } sequenceError)
        {
            // RFC 4954 4: not during a mail transaction.
            return CountError(sequenceError);
        }

        string? user;
        string? password;
        switch (auth.Mechanism)
        {
            case Plain:
                {
                    var response = auth.InitialResponse ?? await ChallengeAsync("");
                    if (response is null)
                    {
                        return true;
                    }

                    if (!SaslDecoder.TryDecodePlain(response, out var authorizationId, out var authenticationId, out var secret))
                    {
                        return CountError(ServerReplies.AuthBadBase64);
                    }

                    user = authenticationId;
                    password = secret;
                    if (!string.IsNullOrEmpty(authorizationId) && !string.Equals(authorizationId, authenticationId, StringComparison.Ordinal))
                    {
                        // Acting as another identity is not supported: refuse rather than ignore it.
                        _logger.AuthFailed(_facts.SessionId, Plain, LogText.Safe(authenticationId), _facts.ClientAddress);
                        return CountError(ServerReplies.AuthFailed);
                    }

                    break;
                }

            case Login:
                {
                    var userResponse = auth.InitialResponse ?? await ChallengeAsync(LoginUserChallenge);
                    if (userResponse is null)
                    {
                        return true;
                    }

                    if (!SaslDecoder.TryDecodeBase64Utf8(userResponse, out var decodedUser))
                    {
                        return CountError(ServerReplies.AuthBadBase64);
                    }

                    var passwordResponse = await ChallengeAsync(LoginPasswordChallenge);
                    if (passwordResponse is null)
                    {
                        return true;
                    }

                    if (!SaslDecoder.TryDecodeBase64Utf8(passwordResponse, out var decodedPassword))
                    {
                        return CountError(ServerReplies.AuthBadBase64);
                    }

                    user = decodedUser;
                    password = decodedPassword;
                    break;
                }

            default:
                return CountError(ServerReplies.UnknownMechanism);
        }

        return await VerifyAsync(auth.Mechanism, user, password);
    }

    private async ValueTask<bool> VerifyAsync(string mechanism, string user, string password)
    {
        var (ok, valid) = await CallHandlerAsync(ct => _credentials!.VerifyAsync(user, password, ct), "auth");
        if (!ok)
        {
            return Reply(ServerReplies.AuthTemporaryFailure);
        }

        if (!valid)
        {
            _logger.AuthFailed(_facts.SessionId, mechanism, LogText.Safe(user), _facts.ClientAddress);
            return CountError(ServerReplies.AuthFailed);
        }

        _facts = _facts with { AuthenticatedUser = user };
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            _logger.AuthSucceeded(_facts.SessionId, mechanism, LogText.Safe(user), _facts.ClientAddress);
        }

        return Reply(ServerReplies.AuthSucceeded);
    }

    /// <summary>
    /// Sends a 334 challenge and reads the client's line (RFC 4954 4), up to the AUTH line limit. Null when
    /// the exchange ended: the client cancelled with "*" or sent a line that is too long or malformed (the
    /// reply is already queued).
    /// </summary>
    private async ValueTask<string?> ChallengeAsync(string challenge)
    {
        _connection.Write(ServerReplies.Challenge(challenge));
        _lineReader.MaxLineLength = SmtpDefaults.AuthLineLength;
        (LineStatus Status, byte[] Bytes)? line;
        try
        {
            line = await ReadLineAsync(_options.CommandTimeout, "AUTH");
        }
        finally
        {
            _lineReader.MaxLineLength = CommandReaderLimit;
        }

        if (line is null)
        {
            throw new SessionEndException("client closed the connection in AUTH", null);
        }

        switch (line.Value.Status)
        {
            case LineStatus.TooLong:
                CountError(ServerReplies.AuthLineTooLong);
                return null;
            case LineStatus.BareLineFeed:
                CountError(ServerReplies.BareLineFeed);
                return null;
        }

        // Base64 is ASCII; any other octet makes the decoder fail, which is the right answer.
        var text = Encoding.Latin1.GetString(line.Value.Bytes);
        if (text == "*")
        {
            // RFC 4954 4: "*" cancels the exchange.
            _connection.Write(ServerReplies.AuthCancelled);
            return null;
        }

        return text;
    }
}
