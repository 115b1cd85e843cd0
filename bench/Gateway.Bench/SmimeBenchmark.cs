using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Smime.Cms;
using Gateway.Smime.Vault;
using MimeKit;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Gateway.Bench;

/// <summary>
/// S/MIME cost per message on one core: signing 5 KiB messages (parse, canonicalise, hash, sign, write) with RSA-2048
/// and EC P-256 keys, and decrypting them (parse, unwrap the key, decrypt, parse the content, write), next to
/// `openssl speed` for the same private-key operation in the same run. Single-threaded, so the figures are per core.
/// Keys are made here and never leave the process.
/// </summary>
internal static partial class SmimeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 1 && args[0] == "--seconds" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5.0;
        var message = SampleMessage();
        Console.WriteLine($"S/MIME, one core, {message.Length:N0}-byte messages, {seconds:0.#} s per row");

        var rsa = Create(VaultKeyAlgorithm.Rsa2048, "rsa@bench.test");
        var ec = Create(VaultKeyAlgorithm.EcP256, "ec@bench.test");
        var opensslRsa = OpensslSpeed("rsa2048", RsaSpeedLine(), seconds);
        var opensslEc = OpensslSpeed("ecdsap256", EcSpeedLine(), seconds);

        var signRsa = await SignRateAsync(rsa, message, seconds).ConfigureAwait(false);
        var signEc = await SignRateAsync(ec, message, seconds).ConfigureAwait(false);
        var decryptCbc = await DecryptRateAsync(rsa, message, gcm: false, seconds).ConfigureAwait(false);
        var decryptGcm = await DecryptRateAsync(rsa, message, gcm: true, seconds).ConfigureAwait(false);

        Console.WriteLine();
        Console.WriteLine("| operation | gateway msg/s | openssl op/s | ratio |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("sign, RSA-2048 (multipart/signed)", signRsa, opensslRsa);
        Row("sign, EC P-256 (multipart/signed)", signEc, opensslEc);
        Row("decrypt, RSA-2048 + AES-256-CBC", decryptCbc, opensslRsa);
        Row("decrypt, RSA-2048 + AES-256-GCM", decryptGcm, opensslRsa);
        return 0;
    }

    private static void Row(string name, double ours, double openssl) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ours:N0} | {openssl:N0} | {ours / openssl:P0} |"));

    private static async Task<double> SignRateAsync(Identity identity, byte[] message, double seconds)
    {
        var keys = new InMemorySmimeKeySource();
        keys.AddSigningKey(identity.Address, identity.Key, [identity.Certificate]);
        var signer = new SmimeSigner(keys, TimeProvider.System);
        return await MeasureAsync(seconds, async () =>
        {
            using var parsed = await MimeMessage.LoadAsync(new MemoryStream(message, writable: false)).ConfigureAwait(false);
            await signer.SignAsync(parsed, identity.Address, SmimeSignOptions.Default, default).ConfigureAwait(false);
            await WriteAsync(parsed).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task<double> DecryptRateAsync(Identity identity, byte[] message, bool gcm, double seconds)
    {
        using var original = await MimeMessage.LoadAsync(new MemoryStream(message, writable: false)).ConfigureAwait(false);
        await new SmimeEncryptor().EncryptAsync(original, [new SmimeRecipient(identity.Certificate)], new SmimeEncryptOptions { AssumeAuthEnveloped = gcm }, default).ConfigureAwait(false);
        var encrypted = await WriteAsync(original).ConfigureAwait(false);
        var keys = new InMemorySmimeKeySource();
        keys.AddRecipientKey(identity.Address, identity.Key, identity.Certificate);
        var decryptor = new SmimeDecryptor(keys, SmimeLimits.Default);
        return await MeasureAsync(seconds, async () =>
        {
            using var parsed = await MimeMessage.LoadAsync(new MemoryStream(encrypted, writable: false)).ConfigureAwait(false);
            var result = await decryptor.DecryptAsync(parsed.Body!, default).ConfigureAwait(false);
            if (result.Status != SmimeDecryptStatus.Decrypted)
            {
                throw new InvalidOperationException("decryption failed: " + result.Status);
            }

            parsed.Body = result.Content;
            await WriteAsync(parsed).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Operations per second over <paramref name="seconds"/>, after a short warm-up (JIT, tiering).</summary>
    private static async Task<double> MeasureAsync(double seconds, Func<Task> operation)
    {
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < Math.Min(1, seconds / 4))
        {
            await operation().ConfigureAwait(false);
        }

        var count = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await operation().ConfigureAwait(false);
            count++;
        }

        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<byte[]> WriteAsync(MimeMessage message)
    {
        using var output = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        await message.WriteToAsync(format, output).ConfigureAwait(false);
        return output.ToArray();
    }

    /// <summary>Sign operations per second from `openssl speed -seconds S ALGORITHM` (single process, one core).</summary>
    private static double OpensslSpeed(string algorithm, Regex line, double seconds)
    {
        var info = new ProcessStartInfo("openssl", ["speed", "-seconds", ((int)Math.Ceiling(seconds)).ToString(CultureInfo.InvariantCulture), algorithm])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start openssl");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = line.Match(output);
        if (!match.Success)
        {
            throw new InvalidOperationException("unexpected `openssl speed` output:\n" + output);
        }

        return double.Parse(match.Groups["sign"].Value, CultureInfo.InvariantCulture);
    }

    // "rsa 2048 bits 0.000694s 0.000020s   1440.5  49751.3" (OpenSSL 3.0: sign/s is the first rate).
    [GeneratedRegex(@"^rsa\s+2048 bits\s+\S+\s+\S+\s+(?<sign>[0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RsaSpeedLine();

    // " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  40000.0  13000.0"
    [GeneratedRegex(@"^\s*256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+(?<sign>[0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex EcSpeedLine();

    private static byte[] SampleMessage()
    {
        var text = new StringBuilder();
        text.Append("From: Bench <rsa@bench.test>\r\nTo: peer@example.net\r\nSubject: bench\r\nMessage-ID: <bench@bench.test>\r\n")
            .Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
        while (text.Length < 5 * 1024)
        {
            text.Append("The quick brown fox jumps over the lazy dog, and then over it again, 0123456789.\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static Identity Create(VaultKeyAlgorithm algorithm, string address)
    {
        var (certificate, pkcs8) = SmimeCertificateFactory.Create(VaultIdentity.Parse(address), algorithm, DateTimeOffset.UtcNow);
        var parsed = new X509CertificateParser().ReadCertificate(certificate);
        var key = PrivateKeyFactory.CreateKey(pkcs8);
        Array.Clear(pkcs8);
        return new Identity(address, parsed, key);
    }

    private sealed record Identity(string Address, X509Certificate Certificate, Org.BouncyCastle.Crypto.AsymmetricKeyParameter Key);
}
