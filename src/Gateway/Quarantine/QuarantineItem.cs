using System.Text;
using System.Text.Json.Serialization;
using Gateway.Queue;

namespace Gateway.Host.Quarantine;

/// <summary>One quarantine item as `gateway quarantine` and the admin endpoints show it.</summary>
internal sealed record QuarantineItem(
    string Id,
    string Source,
    string Reason,
    double? Score,
    double? Threshold,
    IReadOnlyList<string> Tests,
    DateTimeOffset ReceivedAt,
    DateTimeOffset QuarantinedAt,
    DateTimeOffset ExpiresAt,
    string From,
    IReadOnlyList<string> Recipients,
    string? ClientIp,
    string? Helo,
    long Size)
{
    // Headers only, and not all of a hostile message's: enough to judge it, bounded in lines and bytes.
    private const int MaxHeaderLines = 200;
    private const int MaxHeaderLineChars = 998;

    /// <summary>The header section, for `show` (null in lists).</summary>
    public IReadOnlyList<string>? Headers { get; init; }

    public static QuarantineItem Of(QueueEntry entry, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var record = entry.Quarantine ?? throw new ArgumentException("Not a quarantine item.", nameof(entry));
        var envelope = entry.Envelope;
        return new QuarantineItem(
            envelope.QueueId,
            record.Source,
            record.Reason,
            record.Score,
            record.Threshold,
            record.Tests,
            envelope.ReceivedAt,
            record.QuarantinedAt,
            MessageQuarantine.ExpiresAt(record, retention),
            envelope.From ?? string.Empty,
            [.. envelope.Recipients.Select(r => r.Address)],
            envelope.ClientIp,
            envelope.Helo,
            entry.MessageBytes);
    }

    /// <summary>This item with the message's header section (unfolded lines as stored, at most 200).</summary>
    public async Task<QuarantineItem> WithHeadersAsync(MessageQuarantine quarantine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quarantine);
        var lines = new List<string>();
        var message = await quarantine.OpenMessageAsync(Id, cancellationToken).ConfigureAwait(false);
        await using (message.ConfigureAwait(false))
        using (var reader = new StreamReader(message, Encoding.UTF8))
        {
            while (lines.Count < MaxHeaderLines)
            {
                var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrEmpty(line))
                {
                    break;
                }

                lines.Add(line.Length > MaxHeaderLineChars ? line[..MaxHeaderLineChars] : line);
            }
        }

        return this with { Headers = lines };
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QuarantineItem))]
[JsonSerializable(typeof(List<QuarantineItem>))]
[JsonSerializable(typeof(QuarantineAnswer))]
internal sealed partial class QuarantineJsonContext : JsonSerializerContext;

/// <summary>The answer to a change (release, delete) or a refusal: what happened, or why not.</summary>
internal sealed record QuarantineAnswer(string Id, string Result);
