using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gateway.Testing;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>
/// Debian's python3-dkim as the other implementation: a small script (written here, run by /usr/bin/python3, the
/// interpreter that has the dkim, dnspython and nacl modules) that signs, verifies and seals, asking DNS only of
/// the knot server on 127.0.0.1.
/// </summary>
internal sealed class PythonDkim : IDisposable
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import base64, sys
        import dkim
        import dns.resolver

        def dnsfunc_for(port):
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = ['127.0.0.1']
            resolver.port = port
            resolver.lifetime = 5
            def get_txt(name, timeout=5):
                qname = name.decode('ascii') if isinstance(name, bytes) else name
                try:
                    answer = resolver.resolve(qname, 'TXT')
                except Exception:
                    return None
                for record in answer:
                    return b''.join(record.strings)
                return None
            return get_txt

        command = sys.argv[1]
        if command == 'verify':
            port, path = int(sys.argv[2]), sys.argv[3]
            message = open(path, 'rb').read()
            d = dkim.DKIM(message, minkey=1024)
            count = sum(1 for name, _ in d.headers if name.lower() == b'dkim-signature')
            results = []
            for index in range(count):
                try:
                    results.append('pass' if d.verify(idx=index, dnsfunc=dnsfunc_for(port)) else 'fail')
                except dkim.DKIMException as e:
                    results.append('fail')
            print(' '.join(results) if results else 'none')
        elif command == 'sign':
            algorithm, selector, domain, key_path, path, canonical, length = sys.argv[2:9]
            message = open(path, 'rb').read()
            key = open(key_path, 'rb').read()
            header = dkim.sign(message, selector.encode(), domain.encode(), key,
                               canonicalize=(b'relaxed', canonical.encode()), signature_algorithm=algorithm.encode(),
                               include_headers=[b'from', b'to', b'subject', b'date', b'message-id'],
                               length=(length == 'length'))
            sys.stdout.buffer.write(header)
        elif command == 'arcverify':
            port, path = int(sys.argv[2]), sys.argv[3]
            message = open(path, 'rb').read()
            cv, results, reason = dkim.arc_verify(message, dnsfunc=dnsfunc_for(port))
            print(cv.decode() if isinstance(cv, bytes) else str(cv))
        elif command in ('arcsign', 'arcsignlength'):
            if command == 'arcsignlength':
                # dkimpy's ARC signer has no l= option: add one to the AMS, covering the body as it is now.
                original = dkim.ARC.gen_header
                def with_length(self, fields, include_headers, canon_policy, header_name, pk, standardize=False):
                    if header_name == b'ARC-Message-Signature':
                        length = len(canon_policy.canonicalize_body(self.body))
                        fields = [f for f in fields if f[0] != b'b'] + [(b'l', str(length).encode('ascii')), (b'b', b'0' * 60)]
                    return original(self, fields, include_headers, canon_policy, header_name, pk, standardize)
                dkim.ARC.gen_header = with_length
            selector, domain, key_path, srv_id, path = sys.argv[2:7]
            message = open(path, 'rb').read()
            key = open(key_path, 'rb').read()
            headers = dkim.arc_sign(message, selector.encode(), domain.encode(), key, srv_id.encode(),
                                    include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
            sys.stdout.buffer.write(b''.join(headers))
        """;

    private readonly string _directory = TestDirectories.CreateTemp("gw-pydkim");
    private int _files;

    public PythonDkim()
    {
        File.WriteAllText(Path.Combine(_directory, "tool.py"), Script.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    /// <summary>Per-signature results of python's dkim.verify, top to bottom ("pass fail").</summary>
    public async Task<string> VerifyAsync(IPEndPoint dns, byte[] message) =>
        (await RunAsync("verify", dns.Port.ToString(CultureInfo.InvariantCulture), WriteFile(message))).Trim();

    public async Task<string> ArcVerifyAsync(IPEndPoint dns, byte[] message) =>
        (await RunAsync("arcverify", dns.Port.ToString(CultureInfo.InvariantCulture), WriteFile(message))).Trim();

    /// <summary>
    /// The DKIM-Signature header python produces (CRLF-terminated) for the message: relaxed header
    /// canonicalization, the body canonicalization given, and with <paramref name="bodyLength"/> an l= tag
    /// covering the body as it is now.
    /// </summary>
    public Task<string> SignAsync(string algorithm, string selector, string domain, string keyText, byte[] message, string bodyCanonicalization = "relaxed", bool bodyLength = false) =>
        RunAsync("sign", algorithm, selector, domain, WriteFile(System.Text.Encoding.ASCII.GetBytes(keyText)), WriteFile(message), bodyCanonicalization, bodyLength ? "length" : "whole");

    /// <summary>An ARC set by python for the message; with <paramref name="bodyLength"/> its AMS has an l= covering the body as it is now.</summary>
    public Task<string> ArcSignAsync(string selector, string domain, string keyText, string authServId, byte[] message, bool bodyLength = false) =>
        RunAsync(bodyLength ? "arcsignlength" : "arcsign", selector, domain, WriteFile(System.Text.Encoding.ASCII.GetBytes(keyText)), authServId, WriteFile(message));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(byte[] content)
    {
        var path = Path.Combine(_directory, "f" + Interlocked.Increment(ref _files).ToString(CultureInfo.InvariantCulture));
        File.WriteAllBytes(path, content);
        return path;
    }

    private async Task<string> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(_directory, "tool.py"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"python3-dkim failed: {await stderr}");
        return await stdout;
    }
}
