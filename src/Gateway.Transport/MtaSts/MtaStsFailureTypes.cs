namespace Gateway.Transport.MtaSts;

/// <summary>The TLS-RPT result types for MTA-STS policy failures (RFC 8460 4.3, "Policy Failures").</summary>
public static class MtaStsFailureTypes
{
    /// <summary>The policy could not be fetched: DNS, connection, timeout, HTTP status, size or content type.</summary>
    public const string PolicyFetchError = "sts-policy-fetch-error";

    /// <summary>The policy was fetched but is not valid (RFC 8461 3.2).</summary>
    public const string PolicyInvalid = "sts-policy-invalid";

    /// <summary>The policy host's certificate failed PKIX validation for "mta-sts.&lt;domain&gt;" (RFC 8461 3.3).</summary>
    public const string WebPkiInvalid = "sts-webpki-invalid";
}
