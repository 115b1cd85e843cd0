using System.Collections.Concurrent;
using System.Net;
using Gateway.Abstractions;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Authentication.Spf;

/// <summary>
/// SPF verification (RFC 7208). <see cref="CheckHostAsync"/> is the RFC's check_host(); the Verify methods
/// apply it to the SMTP identities (RFC 7208 2.3 HELO, 2.4 MAIL FROM). Never throws for bad records or DNS
/// outcomes: those are the results the RFC gives them (temperror, permerror, none). Only the caller's
/// cancellation escapes. Thread-safe; one instance serves every session. Parsed records are kept in a small
/// bounded cache keyed by their text, so a popular record is parsed once.
/// </summary>
public sealed class SpfVerifier
{
    private const int MaxCachedRecords = 1024;

    private readonly IDnsResolver _dns;
    private readonly SpfOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (SpfRecord? Record, string? Error)> _parsed = new(StringComparer.Ordinal);
    private readonly Func<string, (SpfRecord?, string?)> _parse;

    public SpfVerifier(IDnsResolver dns, SpfOptions? options = null, TimeProvider? time = null, ILogger<SpfVerifier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
        _options = options ?? new SpfOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxDnsLookups);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxVoidLookups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxRecordLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Timeout, TimeSpan.Zero);
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.ReceivingHost);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _parse = Parse;
    }

    /// <summary>
    /// check_host(&lt;ip&gt;, &lt;domain&gt;, &lt;sender&gt;) (RFC 7208 4). A sender without a local-part gets
    /// "postmaster" (RFC 7208 4.3); <paramref name="helo"/> feeds the %{h} macro.
    /// </summary>
    public ValueTask<SpfCheck> CheckHostAsync(IPAddress client, string domain, string sender, string helo, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return RunAsync(client, domain, sender, helo, SpfCheck.MailFromIdentity, ct);
    }

    /// <summary>
    /// The MAIL FROM identity (RFC 7208 2.4). A null or empty reverse-path is checked as
    /// "postmaster@" + the HELO domain.
    /// </summary>
    public ValueTask<SpfCheck> VerifyMailFromAsync(IPAddress client, string helo, string? mailFrom, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(helo);
        if (string.IsNullOrEmpty(mailFrom))
        {
            return RunAsync(client, helo, "postmaster@" + helo, helo, SpfCheck.MailFromIdentity, ct);
        }

        return RunAsync(client, AddrSpec.DomainOf(mailFrom), mailFrom, helo, SpfCheck.MailFromIdentity, ct);
    }

    /// <summary>The HELO identity (RFC 7208 2.3): the HELO/EHLO domain, with "postmaster@" + it as sender.</summary>
    public ValueTask<SpfCheck> VerifyHeloAsync(IPAddress client, string helo, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(helo);
        return RunAsync(client, helo, "postmaster@" + helo, helo, SpfCheck.HeloIdentity, ct);
    }

    private async ValueTask<SpfCheck> RunAsync(IPAddress client, string domain, string sender, string helo, string identity, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(helo);
        ct.ThrowIfCancellationRequested();

        // RFC 7208 5: an IPv4-mapped IPv6 client is an IPv4 client.
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        domain = SpfEvaluation.TrimRoot(domain);

        // RFC 7208 4.3: a sender without a local part is "postmaster" at its domain (the checked one without '@').
        if (!AddrSpec.TrySplit(sender, out var localPart, out var senderDomain))
        {
            localPart = string.Empty;
            senderDomain = domain;
        }

        if (localPart.Length == 0)
        {
            localPart = "postmaster";
        }

        sender = localPart + "@" + senderDomain;

        var evaluation = new SpfEvaluation(_dns, _options, _parse, client, sender, localPart, senderDomain, helo, _time.GetUtcNow());
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        SpfOutcome outcome;
        string? explanation = null;
        try
        {
            outcome = await evaluation.CheckHostAsync(domain, linked.Token).ConfigureAwait(false);
            if (outcome.Result == SpfResult.Fail && outcome.Record?.Explanation is not null)
            {
                explanation = await evaluation.ExplainAsync(outcome.Record, outcome.Domain!, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // RFC 7208 4.6.4: an evaluation over the time limit is temperror.
            outcome = SpfOutcome.Error(SpfResult.TempError, $"evaluation exceeded {_options.Timeout.TotalSeconds:0} s (RFC 7208 4.6.4)");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A defect here must not drop the SMTP session (STYLE habit 5): "could not tell" is temperror.
            SpfLog.Defect(_logger, domain, ex);
            outcome = SpfOutcome.Error(SpfResult.TempError, "internal error");
        }

        var check = new SpfCheck(outcome.Result, identity, domain, sender, client)
        {
            Explanation = explanation,
            Problem = outcome.Problem,
            Mechanism = outcome.Mechanism,
            DnsLookups = evaluation.Lookups,
        };
        if (outcome.Result is SpfResult.PermError or SpfResult.TempError)
        {
            SpfLog.Problem(_logger, identity, domain, client, outcome.Result, outcome.Problem);
        }
        else
        {
            SpfLog.Checked(_logger, identity, domain, client, outcome.Result, outcome.Mechanism, evaluation.Lookups);
        }

        return check;
    }

    private (SpfRecord?, string?) Parse(string text)
    {
        if (_parsed.TryGetValue(text, out var cached))
        {
            return cached;
        }

        var parsed = SpfRecord.TryParse(text, out var record, out var error) ? (record, null) : ((SpfRecord?)null, error);
        if (_parsed.Count >= MaxCachedRecords)
        {
            // Bounded: a flood of distinct records (attacker-published) must not grow memory.
            _parsed.Clear();
        }

        _parsed[text] = parsed;
        return parsed;
    }
}
