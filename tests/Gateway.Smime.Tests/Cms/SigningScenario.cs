using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Cms;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Smime.Tests.Cms;

/// <summary>Alice signs with a key from a fresh CA; the verifier trusts that CA and runs on a fake clock.</summary>
public sealed class SigningScenario
{
    public SigningScenario(TestKeyKind kind = TestKeyKind.Rsa2048, bool emailProtection = true, string? sanAddress = null)
    {
        Ca = TestPki.CreateCa();
        Alice = TestPki.Issue(Ca, "alice@example.com", kind, emailProtection, sanAddress);
        Keys.AddSigningKey("alice@example.com", Alice.PrivateKey, Alice.Chain);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public TestCa Ca { get; }

    public TestIdentity Alice { get; }

    public InMemorySmimeKeySource Keys { get; } = new();

    public async Task<(byte[] Wire, SmimeSignResult Result)> SignAsync(MimeMessage message, SmimeSignatureForm form = SmimeSignatureForm.Detached)
    {
        var result = await new SmimeSigner(Keys, Clock).SignAsync(message, "alice@example.com", new SmimeSignOptions { Form = form }, CancellationToken.None);
        return (TestMessages.ToWireBytes(message), result);
    }

    public SmimeVerifier Verifier(TestCa? trusted = null, SmimeLimits? limits = null, TimeProvider? clock = null) =>
        new(new SmimeTrust([X509CertificateLoader.LoadCertificate((trusted ?? Ca).Certificate.GetEncoded())]), clock ?? Clock, limits ?? SmimeLimits.Default);

    public Task<SmimeVerifyResult> VerifyAsync(byte[] wire, TestCa? trusted = null) =>
        Verifier(trusted).VerifyAsync(new MemoryStream(wire), CancellationToken.None);
}
