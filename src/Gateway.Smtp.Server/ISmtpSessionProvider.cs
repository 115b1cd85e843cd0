using Gateway.Abstractions;

namespace Gateway.Smtp.Server;

/// <summary>The host's bridge from the server to policy: one consistent snapshot per connection.</summary>
public interface ISmtpSessionProvider
{
    /// <summary>
    /// Called once per connection, after any PROXY header was read (so <paramref name="facts"/> carries the
    /// real client) and before the connection limits are checked. Capture ONE policy snapshot here.
    /// </summary>
    SmtpSessionSetup Open(SessionFacts facts);
}
