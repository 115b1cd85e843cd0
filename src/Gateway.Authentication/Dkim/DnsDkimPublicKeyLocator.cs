using Gateway.Abstractions;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// Finds DKIM (and ARC) public keys in DNS through <see cref="IDnsResolver"/>: TXT at
/// <c>selector._domainkey.domain</c> (RFC 6376 3.6.2). The answers are cached by the resolver; parsed key
/// records are kept by their text, because building an RSA key validates its modulus with a primality test
/// (BouncyCastle), about 15 ms for 2048 bits, which must not be paid for every message from the same signer.
/// <see cref="LookupAsync"/> reports failures as data; the MimeKit <see cref="IDkimPublicKeyLocator"/> members
/// throw <see cref="DkimKeyLookupException"/> instead, because that contract has no other way to say "no key".
/// </summary>
public sealed class DnsDkimPublicKeyLocator : IDkimPublicKeyLocator
{
    // Bounds the parsed-key cache; when full it starts again (keys change rarely, senders repeat).
    private const int MaxCachedKeys = 4096;

    private readonly IDnsResolver _dns;
    private readonly DkimVerifyOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DkimKeyRecord> _parsed = new(StringComparer.Ordinal);

    // Records that did not parse, with the reason: a bad record is as costly to parse again as a good one.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _unparsable = new(StringComparer.Ordinal);

    public DnsDkimPublicKeyLocator(IDnsResolver dns, DkimVerifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
        _options = options ?? DkimVerifyOptions.Default;
    }

    /// <summary>Fetches and parses the key record; never throws except for cancellation.</summary>
    public async Task<DkimKeyLookup> LookupAsync(string domain, string selector, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(selector);
        if (!DkimNames.AreValid(domain, selector))
        {
            return DkimKeyLookup.Fail(DkimResult.PermError, "invalid domain or selector");
        }

        var name = DkimNames.KeyName(selector, domain);
        var answer = await _dns.GetTxtAsync(name, ct).ConfigureAwait(false);
        switch (answer.Status)
        {
            case DnsStatus.Ok:
                break;
            case DnsStatus.NxDomain:
            case DnsStatus.NoData:
                // RFC 6376 6.1.2: no key record is PERMFAIL (no key for signature).
                return DkimKeyLookup.Fail(DkimResult.PermError, "no key for signature");
            default:
                // RFC 6376 6.1.2: a DNS failure is TEMPFAIL (key unavailable).
                return DkimKeyLookup.Fail(DkimResult.TempError, "key unavailable (DNS " + (answer.Status == DnsStatus.Timeout ? "timeout" : "server failure") + ")");
        }

        // RFC 6376 3.6.2.2: with several records the verifier may pick one; we take the first that is a
        // well-formed DKIM key record, so a stray unrelated TXT record at the name does not break verification.
        string? firstError = null;
        foreach (var text in answer.Records)
        {
            if (TryParseCached(text, out var record, out var error))
            {
                return record!.IsRevoked
                    ? DkimKeyLookup.Fail(DkimResult.PermError, "key revoked")
                    : DkimKeyLookup.Success(record);
            }

            firstError ??= error;
        }

        return DkimKeyLookup.Fail(DkimResult.PermError, firstError ?? "no key for signature");
    }

    private bool TryParseCached(string text, out DkimKeyRecord? record, out string? error)
    {
        if (_parsed.TryGetValue(text, out record))
        {
            error = null;
            return true;
        }

        if (_unparsable.TryGetValue(text, out error))
        {
            return false;
        }

        if (!DkimKeyRecord.TryParse(text, _options.MaxTags, _options.MaximumRsaKeyBits, out record, out error))
        {
            if (_unparsable.Count >= MaxCachedKeys)
            {
                _unparsable.Clear();
            }

            _unparsable[text] = error ?? "invalid key record";
            return false;
        }

        if (_parsed.Count >= MaxCachedKeys)
        {
            _parsed.Clear();
        }

        _parsed[text] = record!;
        return true;
    }

    public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        // MimeKit's synchronous verifiers need this; the gateway only uses the asynchronous path.
        LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

    public async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        if (!AllowsDnsTxt(methods))
        {
            throw new DkimKeyLookupException(DkimResult.Neutral, "unsupported query method");
        }

        var lookup = await LookupAsync(domain, selector, cancellationToken).ConfigureAwait(false);
        if (lookup.Key is not { } key)
        {
            throw new DkimKeyLookupException(lookup.Failure, lookup.Reason ?? "no key");
        }

        if (key.KeyType == DkimKeyType.Rsa && (key.KeyBits < _options.MinimumRsaKeyBits || key.KeyBits > _options.MaximumRsaKeyBits))
        {
            throw new DkimKeyLookupException(DkimResult.Policy, $"unacceptable RSA key size ({key.KeyBits} bits)");
        }

        if (!key.AllowsEmail())
        {
            throw new DkimKeyLookupException(DkimResult.PermError, "key not for e-mail (s=)");
        }

        return key.PublicKey!;
    }

    /// <summary>RFC 6376 3.5 q=: a colon-separated list; "dns/txt" is the only method defined.</summary>
    internal static bool AllowsDnsTxt(string? methods)
    {
        if (string.IsNullOrEmpty(methods))
        {
            return true;
        }

        foreach (var method in methods.Split(':', StringSplitOptions.TrimEntries))
        {
            if (string.Equals(DkimTagList.StripWhitespace(method), "dns/txt", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
