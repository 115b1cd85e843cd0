using System.Globalization;
using Gateway.Abstractions;

namespace Gateway.Pipeline.Limits;

/// <summary>The answers of the rate limits and the greylist; the limit's numbers go to the log, not to the client.</summary>
public static class LimitsReplies
{
    /// <summary>RFC 5321 3.8 / RFC 3463 4.7.0: connections over the limit are answered at connect and closed.</summary>
    public static SmtpReply TooManyConnections(string hostName, string scope) =>
        new(421, "4.7.0", string.Create(CultureInfo.InvariantCulture, $"{hostName} Too many connections from your {ScopeName(scope)}, try again later"));

    /// <summary>RFC 3463 4.7.1 at MAIL FROM: delivery not authorized now; the sending server retries later.</summary>
    public static SmtpReply TooManyMessages(string scope) =>
        new(450, "4.7.1", string.Create(CultureInfo.InvariantCulture, $"Too many messages from your {ScopeName(scope)}, try again later"));

    /// <summary>RFC 5321 4.5.3.1.10 and RFC 3463 4.5.3 at RCPT: too many recipients; the sender's server sends them later.</summary>
    public static SmtpReply TooManyRecipients(string scope) =>
        new(452, "4.5.3", string.Create(CultureInfo.InvariantCulture, $"Too many recipients from your {ScopeName(scope)}, try again later"));

    /// <summary>
    /// RFC 6647 (greylisting): 450 4.7.1 at RCPT, saying what it is so that the sender's postmaster recognises it and that
    /// a retry is all it takes.
    /// </summary>
    public static SmtpReply Greylisted(TimeSpan wait) =>
        new(450, "4.7.1", string.Create(
            CultureInfo.InvariantCulture,
            $"Greylisted: first delivery attempt from your network for this sender and recipient, please retry in {Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds))} seconds"));

    private static string ScopeName(string scope) => scope switch
    {
        LimitScopes.Client => "address",
        LimitScopes.Network => "network",
        LimitScopes.User => "user",
        LimitScopes.Sender => "sender address",
        _ => scope,
    };
}

/// <summary>The kinds of key a rate limit counts by (log, metric label, reply).</summary>
public static class LimitScopes
{
    public const string Client = "client";
    public const string Network = "network";
    public const string User = "user";
    public const string Sender = "sender";
}

/// <summary>What a rate limit counts (log, metric label).</summary>
public static class LimitMeasures
{
    public const string Connections = "connections";
    public const string Messages = "messages";
    public const string Recipients = "recipients";
}
