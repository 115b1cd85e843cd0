using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Testing;

namespace Gateway.IntegrationTests.Authentication;

/// <summary>
/// Debian's python3-dkim as the independent DKIM implementation: signs test mail as a remote sender would and
/// verifies what the gateway signed, with keys from the test's knot zone. Keys are made at test time.
/// </summary>
internal static class DkimPeer
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, dkim, dns.resolver, dns.rdatatype
        mode = sys.argv[1]
        data = sys.stdin.buffer.read()
        if mode == "sign":
            key = open(sys.argv[2], "rb").read()
            sig = dkim.sign(data, sys.argv[3].encode(), sys.argv[4].encode(), key,
                            include_headers=[b"from", b"to", b"subject", b"message-id"])
            sys.stdout.buffer.write(sig + data)
        else:
            r = dns.resolver.Resolver(configure=False)
            r.nameservers = ["127.0.0.1"]
            r.port = int(sys.argv[2])
            def txt(name, timeout=5):
                try:
                    answer = r.resolve(name.decode().rstrip("."), "TXT")
                except Exception:
                    return None
                return b"".join(b"".join(rr.strings) for rr in answer)
            d = dkim.DKIM(data)
            results = []
            for i in range(len([l for l in data.split(b"\r\n\r\n")[0].split(b"\r\n") if l.lower().startswith(b"dkim-signature:")])):
                results.append(d.verify(idx=i, dnsfunc=txt))
            print(" ".join("pass" if ok else "fail" for ok in results))
        """;

    public static (string PrivateKeyPem, string DnsRecord) NewRsaKey()
    {
        using var rsa = RSA.Create(2048);
        return (rsa.ExportPkcs8PrivateKeyPem(), "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>A TXT record in zone-file syntax, split into character-strings of at most 255 octets (RFC 1035 3.3.14).</summary>
    public static string ZoneTxt(string value)
    {
        var parts = new List<string>();
        for (var i = 0; i < value.Length; i += 200)
        {
            parts.Add(string.Concat("\"", value.AsSpan(i, Math.Min(200, value.Length - i)), "\""));
        }

        return "TXT ( " + string.Join(" ", parts) + " )";
    }

    public static async Task<string> SignAsync(string message, string keyPem, string selector, string domain)
    {
        var directory = TestDirectories.CreateTemp("gw-dkim");
        var keyFile = Path.Combine(directory, "key.pem");
        await File.WriteAllTextAsync(keyFile, keyPem);
        var (exit, output) = await RunAsync(directory, message, "sign", keyFile, selector, domain);
        Assert.True(exit == 0, "python3-dkim sign failed: " + output);
        return output;
    }

    /// <summary>Verifies every DKIM-Signature of the message; returns one "pass"/"fail" per signature.</summary>
    public static async Task<string[]> VerifyAsync(string message, IPEndPoint dns)
    {
        var directory = TestDirectories.CreateTemp("gw-dkim");
        var (exit, output) = await RunAsync(directory, message, "verify", dns.Port.ToString(CultureInfo.InvariantCulture));
        Assert.True(exit == 0, "python3-dkim verify failed: " + output);
        return output.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string directory, string stdin, params string[] args)
    {
        var script = Path.Combine(directory, "peer.py");
        await File.WriteAllTextAsync(script, Script);
        var info = new System.Diagnostics.ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(stdin));
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var output = await stdout;
        return (process.ExitCode, process.ExitCode == 0 ? output : output + await stderr);
    }

    /// <summary>The message part of a smtp-sink dump (its own X- records dropped), with CRLF line ends again.</summary>
    public static string MessageOfDump(string dump)
    {
        var lines = dump.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var skip = 0;
        while (skip < lines.Count && (lines[skip].StartsWith("X-Client-", StringComparison.Ordinal)
            || lines[skip].StartsWith("X-Helo-Args:", StringComparison.Ordinal)
            || lines[skip].StartsWith("X-Mail-Args:", StringComparison.Ordinal)
            || lines[skip].StartsWith("X-Rcpt-Args:", StringComparison.Ordinal)))
        {
            skip++;
        }

        return string.Join("\r\n", lines.Skip(skip));
    }
}
