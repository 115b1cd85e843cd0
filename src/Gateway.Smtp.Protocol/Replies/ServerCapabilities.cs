using System.Globalization;
using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// The service extensions a server announced in its reply to EHLO (RFC 5321 4.1.1.1: one keyword, with
/// optional parameters, per line after the first). A server greeted with HELO has none (RFC 5321 3.2).
/// </summary>
public sealed record ServerCapabilities
{
    /// <summary>No extensions: the server only understood HELO.</summary>
    public static ServerCapabilities None { get; } = new();

    /// <summary>RFC 2920: commands may be sent in groups.</summary>
    public bool Pipelining { get; init; }

    /// <summary>RFC 3030: BDAT.</summary>
    public bool Chunking { get; init; }

    /// <summary>RFC 6152: BODY=8BITMIME.</summary>
    public bool EightBitMime { get; init; }

    /// <summary>RFC 6531: SMTPUTF8.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>RFC 3461: NOTIFY, ORCPT, RET, ENVID.</summary>
    public bool Dsn { get; init; }

    /// <summary>RFC 3207.</summary>
    public bool StartTls { get; init; }

    /// <summary>RFC 8689 2: the server relays a message with REQUIRETLS only over verified TLS.</summary>
    public bool RequireTls { get; init; }

    /// <summary>RFC 2034.</summary>
    public bool EnhancedStatusCodes { get; init; }

    /// <summary>RFC 1870: SIZE= may be given with MAIL.</summary>
    public bool Size { get; init; }

    /// <summary>RFC 1870 4: the fixed maximum message size the server takes; 0 when it declared none.</summary>
    public long MaxSize { get; init; }

    /// <summary>Reads the keywords of a 250 reply to EHLO. Unknown keywords are ignored (RFC 5321 4.1.1.1).</summary>
    public static ServerCapabilities FromEhloReply(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var result = new ServerCapabilities();

        // The first line is the server's name and greeting text, never a keyword.
        foreach (var line in reply.Lines.Skip(1))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            result = words[0].ToUpperInvariant() switch
            {
                "PIPELINING" => result with { Pipelining = true },
                "CHUNKING" => result with { Chunking = true },
                "8BITMIME" => result with { EightBitMime = true },
                "SMTPUTF8" => result with { SmtpUtf8 = true },
                "DSN" => result with { Dsn = true },
                "STARTTLS" => result with { StartTls = true },
                "REQUIRETLS" => result with { RequireTls = true },
                "ENHANCEDSTATUSCODES" => result with { EnhancedStatusCodes = true },
                "SIZE" => result with { Size = true, MaxSize = ParseSize(words) },
                _ => result,
            };
        }

        return result;
    }

    /// <summary>RFC 1870 4: "SIZE" alone or "SIZE 0" means no fixed limit; an unreadable value counts as none.</summary>
    private static long ParseSize(string[] words) =>
        words.Length > 1
        && words[1].Length <= SmtpDefaults.SizeDigits
        && words[1].All(char.IsAsciiDigit)
        && long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : 0;
}
