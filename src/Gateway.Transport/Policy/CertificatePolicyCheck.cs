using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Transport.Dane;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Policy;

/// <summary>
/// Enforces a <see cref="HopTlsRequirement"/> on the outcome of a TLS handshake. Runs inside the handshake's
/// certificate callback: no I/O, everything needed came with the requirement. Reasons read "TLS required by
/// {who}: {what} for {host}", so an administrator sees which policy refused which host.
/// </summary>
public sealed class CertificatePolicyCheck
{
    private readonly DaneMatcher _dane;
    private readonly TimeProvider _time;

    public CertificatePolicyCheck(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _dane = new DaneMatcher(time);
    }

    /// <summary>
    /// Checks a certificate from <see cref="RemoteCertificateValidationCallback"/>: the certificate, the chain the
    /// platform built (its elements and extra store hold what the server presented) and the platform's errors for
    /// the MX host name.
    /// </summary>
    public TlsCheckResult Check(HopTlsRequirement requirement, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        var leaf = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        var presented = new List<X509Certificate2>();
        var statuses = new List<X509ChainStatusFlags>();
        if (chain is not null)
        {
            presented.AddRange(chain.ChainPolicy.ExtraStore);
            presented.AddRange(chain.ChainElements.Select(e => e.Certificate));
            statuses.AddRange(chain.ChainStatus.Select(s => s.Status));
        }

        return Check(requirement, leaf, presented, errors, statuses);
    }

    /// <param name="requirement">What this host requires.</param>
    /// <param name="leaf">The server's certificate, null when it sent none.</param>
    /// <param name="presented">The certificates the server presented besides the leaf (or the chain elements).</param>
    /// <param name="errors">The platform's validation against the system trust and the MX host name.</param>
    /// <param name="chainStatus">The platform chain's status flags, to tell expiry from distrust.</param>
    public TlsCheckResult Check(
        HopTlsRequirement requirement,
        X509Certificate2? leaf,
        IReadOnlyList<X509Certificate2> presented,
        SslPolicyErrors errors,
        IReadOnlyList<X509ChainStatusFlags> chainStatus)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(chainStatus);
        if (requirement.UnavailableReason is { } unavailable)
        {
            return Refuse(requirement, unavailable, requirement.UnavailableResultType ?? TlsRptResultTypes.ValidationFailure);
        }

        // Opportunistic and unauthenticated levels take any certificate (RFC 7435, RFC 7672 2.2 for all-unusable TLSA).
        if (requirement.Level is TlsLevel.None or TlsLevel.May or TlsLevel.Encrypt)
        {
            return TlsCheckResult.Accept;
        }

        if (leaf is null)
        {
            return Refuse(requirement, $"no server certificate from {requirement.Host}", TlsRptResultTypes.ValidationFailure);
        }

        return requirement.Level switch
        {
            TlsLevel.Dane or TlsLevel.DaneOnly => CheckDane(requirement, leaf, presented),
            TlsLevel.Verify when requirement.TrustAnchors is { Count: > 0 } => CheckPinned(requirement, leaf, presented),
            _ => CheckPkix(requirement, leaf, errors, chainStatus),
        };
    }

    /// <summary>The reason for a server that did not offer STARTTLS (RFC 3207) when TLS is required.</summary>
    public static TlsCheckResult StartTlsNotOffered(HopTlsRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        return requirement.Level is TlsLevel.None or TlsLevel.May && !requirement.TestingOnly
            ? TlsCheckResult.Accept
            : Refuse(requirement, $"STARTTLS not offered by {requirement.Host}", TlsRptResultTypes.StartTlsNotSupported);
    }

    /// <summary>The reason for a TLS handshake that failed for another cause than our certificate check.</summary>
    public static TlsCheckResult HandshakeFailed(HopTlsRequirement requirement, string detail)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(detail);
        return Refuse(requirement, $"TLS handshake with {requirement.Host} failed: {detail}", TlsRptResultTypes.ValidationFailure);
    }

    private TlsCheckResult CheckDane(HopTlsRequirement requirement, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presented)
    {
        var result = _dane.Match(requirement.Tlsa, leaf, presented, requirement.VerifyNames);
        return result.Outcome switch
        {
            DaneOutcome.Match or DaneOutcome.AllUnusable => TlsCheckResult.Accept,
            _ => Refuse(requirement, result.Reason ?? $"no TLSA record matches the certificate of {requirement.Host}", result.ResultType ?? TlsRptResultTypes.TlsaInvalid),
        };
    }

    /// <summary>"verify" against the destination's own CAs (internal routes), names as the entry says.</summary>
    private TlsCheckResult CheckPinned(HopTlsRequirement requirement, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(requirement.TrustAnchors!);
        foreach (var certificate in presented)
        {
            chain.ChainPolicy.ExtraStore.Add(certificate);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        if (!chain.Build(leaf))
        {
            var statuses = chain.ChainStatus.Select(s => s.Status).ToList();
            return NotTrusted(requirement, statuses);
        }

        return DaneMatcher.HasReferenceName(leaf, requirement.VerifyNames)
            ? TlsCheckResult.Accept
            : Refuse(requirement, NameMismatch(requirement), TlsRptResultTypes.CertificateHostMismatch);
    }

    /// <summary>"verify" and MTA-STS (RFC 8461 4.2): the system's PKIX validation, names per the requirement.</summary>
    private static TlsCheckResult CheckPkix(HopTlsRequirement requirement, X509Certificate2 leaf, SslPolicyErrors errors, IReadOnlyList<X509ChainStatusFlags> chainStatus)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return Refuse(requirement, $"no server certificate from {requirement.Host}", TlsRptResultTypes.ValidationFailure);
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return NotTrusted(requirement, chainStatus);
        }

        // The platform checked the MX host name; Postfix "match=" names replace it, so check those ourselves.
        var customNames = requirement.VerifyNames.Count != 1
            || !string.Equals(requirement.VerifyNames[0].TrimEnd('.'), requirement.Host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
        var nameOk = customNames
            ? DaneMatcher.HasReferenceName(leaf, requirement.VerifyNames)
            : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        return nameOk ? TlsCheckResult.Accept : Refuse(requirement, NameMismatch(requirement), TlsRptResultTypes.CertificateHostMismatch);
    }

    private static TlsCheckResult NotTrusted(HopTlsRequirement requirement, IReadOnlyList<X509ChainStatusFlags> statuses)
    {
        var flags = statuses.Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
        if (flags.Contains(X509ChainStatusFlags.NotTimeValid))
        {
            return Refuse(requirement, $"certificate of {requirement.Host} expired or not yet valid", TlsRptResultTypes.CertificateExpired);
        }

        var detail = flags.Count == 0 ? string.Empty : ": " + string.Join(", ", flags);
        return Refuse(requirement, $"certificate not trusted{detail}", TlsRptResultTypes.CertificateNotTrusted);
    }

    private static string NameMismatch(HopTlsRequirement requirement) =>
        requirement.VerifyNames.Count == 1 && string.Equals(requirement.VerifyNames[0], requirement.Host, StringComparison.OrdinalIgnoreCase)
            ? $"certificate name mismatch for {requirement.Host}"
            : $"certificate of {requirement.Host} names none of {string.Join(", ", requirement.VerifyNames)}";

    private static TlsCheckResult Refuse(HopTlsRequirement requirement, string what, string resultType)
    {
        var reason = $"TLS required by {requirement.RequiredBy}: {what}";
        return requirement.TestingOnly
            ? new TlsCheckResult(true, reason + " (policy in testing mode: delivered anyway)", resultType, ReportOnly: true)
            : TlsCheckResult.Refuse(reason, resultType);
    }
}
