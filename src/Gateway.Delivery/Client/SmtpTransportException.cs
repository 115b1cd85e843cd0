namespace Gateway.Delivery.Client;

/// <summary>
/// The connection to the next hop failed underneath the dialogue: it closed, timed out, reset, or the server
/// sent something that is not a reply. The connection is unusable afterwards; what the recipients get is a
/// transient failure (RFC 5321 4.5.4.1: try again later), never a verdict about the message. Failures of
/// the spool while sending are other exceptions on purpose: those must not pass for a network problem.
/// </summary>
public sealed class SmtpTransportException : IOException
{
    public SmtpTransportException()
    {
    }

    public SmtpTransportException(string message)
        : base(message)
    {
    }

    public SmtpTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
