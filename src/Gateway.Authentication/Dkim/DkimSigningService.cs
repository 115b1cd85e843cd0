using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// Signs outbound mail (RFC 6376 5): one DKIM-Signature per key (dual RSA + Ed25519 signing, RFC 8463 6),
/// relaxed/relaxed, From (and the other <see cref="DkimSigningOptions.OversignedHeaders"/>) oversigned, t= from the
/// injected clock. The message is never re-encoded: the result is header text to put in front of the exact bytes
/// that were signed.
/// </summary>
public sealed class DkimSigningService
{
    private readonly TimeProvider _time;
    private readonly DkimSigningOptions _options;
    private readonly ILogger _logger;

    public DkimSigningService(TimeProvider time, DkimSigningOptions? options = null, ILogger<DkimSigningService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _options = options ?? DkimSigningOptions.Default;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var signsFrom = false;
        foreach (var name in _options.SignedHeaders)
        {
            signsFrom |= string.Equals(name, "From", StringComparison.OrdinalIgnoreCase);
            if (name.Length == 0 || name.Contains(':', StringComparison.Ordinal) || name.AsSpan().ContainsAny(" \t\r\n"))
            {
                throw new ArgumentException($"'{name}' is not a header field name.", nameof(options));
            }
        }

        // RFC 6376 5.4: the From header field MUST be signed.
        if (!signsFrom)
        {
            throw new ArgumentException("The signed header fields must include From (RFC 6376 5.4).", nameof(options));
        }
    }

    /// <summary>
    /// Signs the raw message (header section, empty line, body; CRLF line ends as on the wire) with every key.
    /// Returns the DKIM-Signature header fields, each ending in CRLF, to prepend to exactly these bytes. The
    /// signatures are independent: none covers another.
    /// </summary>
    public string Sign(ReadOnlySpan<byte> message, IReadOnlyList<DkimSigningKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var parsed = RawMessage.Parse(message);
        return Sign(parsed, message, DkimCanonicalization.RelaxedBodyHash(message[parsed.BodyStart..]), keys);
    }

    /// <summary>
    /// Signs a message given as its header section (with the empty line that ends it, when there is one) and a stream
    /// positioned at the start of its body, which is hashed in bounded pieces: memory stays flat whatever the size.
    /// </summary>
    public async Task<string> SignAsync(ReadOnlyMemory<byte> headerSection, Stream body, IReadOnlyList<DkimSigningKey> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(keys);
        var bodyHash = await RelaxedBodyHasher.HashAsync(body, ct).ConfigureAwait(false);
        return Sign(RawMessage.Parse(headerSection.Span), headerSection.Span, bodyHash, keys);
    }

    /// <summary>The signature fields over the parsed header fields of <paramref name="header"/> and the body hash.</summary>
    private string Sign(RawMessage parsed, ReadOnlySpan<byte> header, byte[] bodyHashBytes, IReadOnlyList<DkimSigningKey> keys)
    {
        var bodyHash = Convert.ToBase64String(bodyHashBytes);
        var names = SignedNames(parsed, _options);
        var selected = Select(parsed, names);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var output = new StringBuilder();
        foreach (var key in keys)
        {
            var value = new StringBuilder(256);
            value.Append("v=1; a=").Append(key.AlgorithmName)
                .Append("; c=relaxed/relaxed;\r\n\td=").Append(key.Domain)
                .Append("; s=").Append(key.Selector)
                .Append("; t=").Append(timestamp.ToString(CultureInfo.InvariantCulture));
            if (_options.Expiration is { } lifetime)
            {
                value.Append("; x=").Append((timestamp + (long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            }

            value.Append(";\r\n\t");
            DkimHeaderHasher.AppendHeaderList(value, names);
            value.Append(";\r\n\tbh=").Append(bodyHash).Append(";\r\n\tb=");

            using var hasher = new DkimHeaderHasher();
            foreach (var field in selected)
            {
                if (field is { } present)
                {
                    hasher.AddField(present, header);
                }
            }

            output.Append("DKIM-Signature: ").Append(hasher.Sign("DKIM-Signature", value.ToString(), key)).Append("\r\n");
            DkimLog.Signed(_logger, key.Domain, key.Selector, key.AlgorithmName);
        }

        return output.ToString();
    }

    /// <summary>
    /// Signs a parsed, unmodified message by writing it back out with CRLF line ends, which MimeKit does byte for
    /// byte for an untouched parse. Prefer <see cref="Sign(ReadOnlySpan{byte}, IReadOnlyList{DkimSigningKey})"/>
    /// with the spooled bytes when they are at hand.
    /// </summary>
    public string Sign(MimeMessage message, IReadOnlyList<DkimSigningKey> keys)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Sign(WriteRaw(message), keys);
    }

    internal static byte[] WriteRaw(MimeMessage message)
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(format, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// The h= list: each configured name once per occurrence, plus once more when oversigned (RFC 6376 5.4.2:
    /// a name listed more often than it occurs signs the absence of further instances).
    /// </summary>
    internal static List<string> SignedNames(RawMessage message, DkimSigningOptions options)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var configured in options.SignedHeaders)
        {
            if (!seen.Add(configured))
            {
                continue;
            }

            var count = 0;
            foreach (var field in message.Fields)
            {
                if (string.Equals(field.Name, configured, StringComparison.OrdinalIgnoreCase))
                {
                    count++;
                }
            }

            var oversign = string.Equals(configured, "From", StringComparison.OrdinalIgnoreCase);
            foreach (var name in options.OversignedHeaders)
            {
                oversign |= string.Equals(name, configured, StringComparison.OrdinalIgnoreCase);
            }

            var lower = configured.ToLowerInvariant();
            for (var i = 0; i < count + (oversign ? 1 : 0); i++)
            {
                names.Add(lower);
            }
        }

        return names;
    }

    /// <summary>
    /// RFC 6376 5.4.2: for each h= entry take the last not yet used instance of that name, bottom up; an entry with
    /// no instance left selects nothing (null).
    /// </summary>
    internal static List<RawHeaderField?> Select(RawMessage message, IReadOnlyList<string> names)
    {
        var used = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var selected = new List<RawHeaderField?>(names.Count);
        foreach (var name in names)
        {
            var skip = used.GetValueOrDefault(name);
            RawHeaderField? found = null;
            for (var i = message.Fields.Count - 1; i >= 0; i--)
            {
                if (string.Equals(message.Fields[i].Name, name, StringComparison.OrdinalIgnoreCase) && skip-- == 0)
                {
                    found = message.Fields[i];
                    break;
                }
            }

            used[name] = used.GetValueOrDefault(name) + 1;
            selected.Add(found);
        }

        return selected;
    }
}
