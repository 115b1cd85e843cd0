using System.Net;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Limits;

/// <summary>Rate limit and greylisting log lines (events 3120-3139).</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(EventId = 3120, Level = LogLevel.Information,
        Message = "Rate limit: session {SessionId} client {Client} over {Limit} {Measure} per {Window} for {Scope} {Subject}; answering {Reply}")]
    public static partial void RateLimited(ILogger logger, string sessionId, IPAddress client, int limit, string measure, string window, string scope, string subject, SmtpReply reply);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Information,
        Message = "Greylisted: session {SessionId} client {Client} network {Network} sender <{Sender}> recipient <{Recipient}>: {Reason}; retry in {Wait}")]
    public static partial void Greylisted(ILogger logger, string sessionId, IPAddress client, string network, string sender, string recipient, string reason, string wait);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Information,
        Message = "Greylist passed: session {SessionId} client {Client} network {Network} sender <{Sender}> recipient <{Recipient}> retried after {Waited}; network allowed until {Until:u}")]
    public static partial void GreylistPassed(ILogger logger, string sessionId, IPAddress client, string network, string sender, string recipient, string waited, DateTimeOffset until);

    [LoggerMessage(EventId = 3123, Level = LogLevel.Information,
        Message = "Greylisting skipped: session {SessionId} client {Client} sender <{Sender}> recipient <{Recipient}>: {Reason}")]
    public static partial void GreylistSkipped(ILogger logger, string sessionId, IPAddress client, string sender, string recipient, string reason);

    [LoggerMessage(EventId = 3124, Level = LogLevel.Warning,
        Message = "Greylist state not written to {Path}; kept in memory and tried again")]
    public static partial void GreylistWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3125, Level = LogLevel.Information,
        Message = "Greylist state read from {Path}: {Triplets} pending triplet(s), {Networks} allowed network(s)")]
    public static partial void GreylistLoaded(ILogger logger, string path, int triplets, int networks);

    [LoggerMessage(EventId = 3126, Level = LogLevel.Warning,
        Message = "Greylist state in {Path} ignored: {Problem}; clients are greylisted again")]
    public static partial void GreylistUnreadable(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 3127, Level = LogLevel.Warning,
        Message = "Rate limiter full ({MaxKeys} keys): the least recently used keys were dropped ({Evicted} since start); raise rate_limits.max_tracked")]
    public static partial void RateLimiterFull(ILogger logger, int maxKeys, long evicted);

    [LoggerMessage(EventId = 3128, Level = LogLevel.Debug,
        Message = "Greylisting not applied: session {SessionId} client {Client} is {Trust}")]
    public static partial void GreylistNotApplied(ILogger logger, string sessionId, IPAddress client, string trust);
}
