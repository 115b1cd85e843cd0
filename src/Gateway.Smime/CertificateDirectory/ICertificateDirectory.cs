using Gateway.Smime.Cms;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// Where recipient certificates come from when mail is to be encrypted. Implementations answer with the
/// certificates usable for encryption to that address now, newest first, each with what it advertises; an
/// empty list means "no certificate known" and is also the answer when a source is unreachable, so a
/// directory outage degrades to the policy's no-certificate rule instead of failing the message.
/// </summary>
public interface ICertificateDirectory
{
    Task<IReadOnlyList<SmimeRecipient>> FindAsync(string address, CancellationToken cancellationToken);
}
