using Gateway.Smtp.Protocol;
using Gateway.Smtp.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// Called while the reply to <paramref name="command"/> is still unsent: input already waiting behind it was sent
    /// without seeing that reply, before PIPELINING was offered (RFC 2920 3.1). Recorded once as a fact for the
    /// spam score; the client is not refused for it.
    /// </summary>
    private void NotePipelining(SmtpVerb command)
    {
        if (_facts.PipelinedWithoutOffer || !InputWaiting())
        {
            return;
        }

        _facts = _facts with { PipelinedWithoutOffer = true };
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.PipelinedWithoutOffer(_facts.SessionId, _facts.ClientAddress, command.ToString().ToUpperInvariant());
        }
    }

    // Inside TLS the socket's pending octets can be TLS records that carry no command, so only decrypted input counts there.
    private bool InputWaiting() =>
        _connection.BufferedLength > 0 || (_connection.Tls is null && _connection.SocketAvailable > 0);
}
