using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Abstractions;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Dane;

/// <summary>
/// Authenticates an SMTP server's certificate against the TLSA records of its MX host (RFC 7672 3, RFC 6698 2).
/// DANE-EE(3) pins the leaf itself: no name and no validity check (RFC 7672 3.1.1), since the record, not a CA,
/// vouches for the key. DANE-TA(2) pins a trust anchor of the presented chain: the leaf must chain to it and carry
/// one of the reference names (RFC 7672 3.1.2, 3.2.2). Pure: no I/O, the clock comes from the
/// <see cref="TimeProvider"/> for the DANE-TA chain's validity period.
/// </summary>
public sealed class DaneMatcher
{
    private readonly TimeProvider _time;

    public DaneMatcher(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <param name="records">The host's TLSA RRset as published (unusable records are ignored here).</param>
    /// <param name="leaf">The server's certificate.</param>
    /// <param name="presentedChain">The other certificates the server sent (or the platform's chain elements).</param>
    /// <param name="referenceNames">
    /// Names the leaf may carry under DANE-TA: the MX host name first (the TLSA base domain), then the next-hop
    /// domain (RFC 7672 3.2.2).
    /// </param>
    public DaneMatchResult Match(
        IReadOnlyList<TlsaRecord> records,
        X509Certificate2 leaf,
        IReadOnlyList<X509Certificate2> presentedChain,
        IReadOnlyList<string> referenceNames)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(presentedChain);
        ArgumentNullException.ThrowIfNull(referenceNames);
        var usable = TlsaUsability.Usable(records);
        if (usable.Count == 0)
        {
            return DaneMatchResult.Unusable;
        }

        var host = referenceNames.Count > 0 ? referenceNames[0] : "the server";
        foreach (var record in usable)
        {
            if (record.Usage == TlsaUsability.DaneEe && Matches(record, leaf))
            {
                return DaneMatchResult.Matched(record);
            }
        }

        (string Reason, string ResultType)? taFailure = null;
        foreach (var record in usable)
        {
            if (record.Usage != TlsaUsability.DaneTa)
            {
                continue;
            }

            foreach (var anchor in Candidates(leaf, presentedChain))
            {
                if (!Matches(record, anchor))
                {
                    continue;
                }

                if (ChainsTo(leaf, anchor, presentedChain) is { } chainError)
                {
                    taFailure ??= (
                        $"certificate of {host} does not chain to the DANE-TA trust anchor {anchor.Subject}: {chainError}",
                        chainError == nameof(X509ChainStatusFlags.NotTimeValid) ? TlsRptResultTypes.CertificateExpired : TlsRptResultTypes.CertificateNotTrusted);
                    continue;
                }

                if (!HasReferenceName(leaf, referenceNames))
                {
                    taFailure ??= (
                        $"certificate of {host} matches a DANE-TA trust anchor but names none of {string.Join(", ", referenceNames)}",
                        TlsRptResultTypes.CertificateHostMismatch);
                    continue;
                }

                return DaneMatchResult.Matched(record);
            }
        }

        return taFailure is { } failure
            ? DaneMatchResult.Mismatched(failure.Reason, failure.ResultType)
            : DaneMatchResult.Mismatched($"no TLSA record matches the certificate of {host}", TlsRptResultTypes.TlsaInvalid);
    }

    /// <summary>RFC 6698 2.1.2, 2.1.3: the selected part of the certificate, hashed as the matching type says.</summary>
    public static bool Matches(TlsaRecord record, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(certificate);
        byte[] selected = record.Selector switch
        {
            0 => certificate.RawData,
            1 => certificate.PublicKey.ExportSubjectPublicKeyInfo(),
            _ => [],
        };
        if (selected.Length == 0)
        {
            return false;
        }

        return record.MatchingType switch
        {
            0 => CryptographicOperations.FixedTimeEquals(selected, record.Data.Span),
            1 => CryptographicOperations.FixedTimeEquals(SHA256.HashData(selected), record.Data.Span),
            2 => CryptographicOperations.FixedTimeEquals(SHA512.HashData(selected), record.Data.Span),
            _ => false,
        };
    }

    /// <summary>
    /// The reference-identifier check of RFC 7672 3.2.3 with the rules of RFC 6125 6.4: dNSName SANs, a wildcard
    /// only as the whole leftmost label, the subject CN only when there is no dNSName.
    /// </summary>
    public static bool HasReferenceName(X509Certificate2 certificate, IReadOnlyList<string> referenceNames)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(referenceNames);
        foreach (var name in referenceNames)
        {
            if (name.Length > 0 && certificate.MatchesHostname(name.TrimEnd('.'), allowWildcards: true, allowCommonName: true))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<X509Certificate2> Candidates(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presented)
    {
        // A self-signed leaf may be its own trust anchor; otherwise the anchor is one of its issuers.
        yield return leaf;
        foreach (var certificate in presented)
        {
            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                yield return certificate;
            }
        }
    }

    /// <summary>
    /// Validates leaf -> anchor with the anchor as the only trust (RFC 7672 3.1.2), no revocation (RFC 7672 offers
    /// none for DANE). The platform only trusts self-signed roots, so statuses that concern the anchor's own
    /// issuer (partial chain, untrusted root above or at the anchor) are ignored; everything from the leaf up to
    /// the anchor must be clean. Returns null when valid, else the first problem.
    /// </summary>
    private string? ChainsTo(X509Certificate2 leaf, X509Certificate2 anchor, IReadOnlyList<X509Certificate2> presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.ExtraStore.Add(anchor);
        foreach (var certificate in presented)
        {
            chain.ChainPolicy.ExtraStore.Add(certificate);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.Build(leaf);
        var anchorIndex = -1;
        for (var i = 0; i < chain.ChainElements.Count; i++)
        {
            if (chain.ChainElements[i].Certificate.RawDataMemory.Span.SequenceEqual(anchor.RawDataMemory.Span))
            {
                anchorIndex = i;
                break;
            }
        }

        if (anchorIndex < 0)
        {
            return "no path to the anchor";
        }

        for (var i = 0; i <= anchorIndex; i++)
        {
            foreach (var status in chain.ChainElements[i].ChainElementStatus)
            {
                if (status.Status is X509ChainStatusFlags.NoError or X509ChainStatusFlags.PartialChain or X509ChainStatusFlags.UntrustedRoot)
                {
                    continue;
                }

                // An expired or not yet valid anchor is still an anchor (RFC 5280 6.1.1 takes only its key and name).
                if (i == anchorIndex && anchorIndex > 0 && status.Status == X509ChainStatusFlags.NotTimeValid)
                {
                    continue;
                }

                return status.Status.ToString();
            }
        }

        return null;
    }
}
