namespace Gateway.Transport.TlsRpt;

/// <summary>The result types of RFC 8460 4.3 ("result-type" in a report's failure details).</summary>
public static class TlsRptResultTypes
{
    // RFC 8460 4.3.1: negotiation failures.
    public const string StartTlsNotSupported = "starttls-not-supported";
    public const string CertificateHostMismatch = "certificate-host-mismatch";
    public const string CertificateExpired = "certificate-expired";
    public const string CertificateNotTrusted = "certificate-not-trusted";
    public const string ValidationFailure = "validation-failure";

    // RFC 8460 4.3.2.1: DANE.
    public const string TlsaInvalid = "tlsa-invalid";
    public const string DnssecInvalid = "dnssec-invalid";
    public const string DaneRequired = "dane-required";

    // RFC 8460 4.3.2.2: MTA-STS.
    public const string StsPolicyFetchError = "sts-policy-fetch-error";
    public const string StsPolicyInvalid = "sts-policy-invalid";
    public const string StsWebPkiInvalid = "sts-webpki-invalid";
}
