namespace Gateway.Transport.TlsRpt;

/// <summary>
/// Where delivery counts its sessions for TLS-RPT (RFC 8460 4): the collector in the gateway, a recording fake in
/// tests. Called once per session, from many deliveries at once: implementations are thread-safe and never block
/// on I/O.
/// </summary>
public interface ITlsRptRecorder
{
    /// <summary>A session that negotiated TLS as its policy requires.</summary>
    void RecordSuccess(TlsRptPolicy policy);

    /// <summary>A session that failed its policy (or failed it in testing mode and went on), with the details.</summary>
    void RecordFailure(TlsRptPolicy policy, TlsRptFailure failure);
}
