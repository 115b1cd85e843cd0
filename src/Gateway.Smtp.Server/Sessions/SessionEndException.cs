using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Sessions;

/// <summary>
/// Ends the session from deep inside a command (timeouts in the middle of DATA, too many errors, shutdown):
/// the top of the session loop sends <see cref="Reply"/> if there is one, and closes.
/// </summary>
internal sealed class SessionEndException : Exception
{
    public SessionEndException(string reason, SmtpReply? reply)
        : base(reason)
    {
        Reply = reply;
    }

    public SmtpReply? Reply { get; }
}
