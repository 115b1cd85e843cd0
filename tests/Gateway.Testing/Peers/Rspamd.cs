using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Gateway.Testing.Peers;

/// <summary>
/// A private rspamd (Debian's rspamd) with its normal worker on 127.0.0.1 and a minimal temp config: no controller,
/// no proxy, no redis, no statistics, DNS pointed at a closed local port (no network lookups), the hyperscan cache in
/// the temp directory, and a three-line TLD list instead of the public suffix list (whose hyperscan compile takes
/// tens of seconds on a cold cache). Its only rules are GTUBE (built in) and three test symbols a subject triggers:
/// "rspamd-spam" (<see cref="SpamScore"/>), "rspamd-reject" (<see cref="RejectScore"/>, past its reject action) and
/// "rspamd-ham" (<see cref="HamScore"/>), and <see cref="EnvelopeScore"/> when the request's envelope headers say
/// client 192.0.2.1, HELO client.example.org, sender alice@sender.test, two recipients the second carol@ours.test,
/// and a queue id of the pipeline tests ("TESTQUEUE...").
/// </summary>
public sealed class Rspamd : IAsyncDisposable
{
    public const double SpamScore = 6.5;
    public const double RejectScore = 20;
    public const double HamScore = -5;
    public const double EnvelopeScore = 0.25;

    private readonly string _directory;
    private Process? _process;

    private Rspamd(string directory, int port)
    {
        _directory = directory;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    /// <summary>The normal worker's base URL.</summary>
    public Uri Url { get; }

    /// <summary>How long the last start took, for the report of what a test costs.</summary>
    public TimeSpan StartTime { get; private set; }

    public static async Task<Rspamd> StartAsync()
    {
        var directory = TestDirectories.CreateTemp("gw-rspamd");
        var rspamd = new Rspamd(directory, FreePort.Next());
        Directory.CreateDirectory(Path.Combine(directory, "hs"));
        Directory.CreateDirectory(Path.Combine(directory, "maps"));
        await File.WriteAllTextAsync(Path.Combine(directory, "tld.dat"), "com\norg\nnet\ntest\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "rules.lua"), Rules);
        await File.WriteAllTextAsync(Path.Combine(directory, "rspamd.conf"), rspamd.Config());
        try
        {
            await rspamd.ResumeAsync();
            return rspamd;
        }
        catch
        {
            await rspamd.DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts rspamd; returns once its worker answers /ping.</summary>
    public async Task ResumeAsync()
    {
        var info = new ProcessStartInfo(ExternalTool.Require("rspamd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-f", "--no-fork", "-c", Path.Combine(_directory, "rspamd.conf") })
        {
            info.ArgumentList.Add(arg);
        }

        // rspamd refuses to keep root; as root it is told to stay root rather than switch to _rspamd, which may not
        // read the temp directory.
        if (Environment.UserName == "root")
        {
            foreach (var arg in new[] { "-u", "root", "-g", "root" })
            {
                info.ArgumentList.Add(arg);
            }
        }

        var clock = Stopwatch.StartNew();
        _process = Process.Start(info)!;
        var stdout = _process.StandardOutput.ReadToEndAsync();
        var stderr = _process.StandardError.ReadToEndAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                var pong = await http.GetStringAsync(new Uri(Url, "ping"));
                if (pong.Trim() == "pong")
                {
                    StartTime = clock.Elapsed;
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException)
            {
                if (_process.HasExited)
                {
                    var log = Path.Combine(_directory, "rspamd.log");
                    throw new InvalidOperationException("rspamd exited: " + await stdout + await stderr + (File.Exists(log) ? await File.ReadAllTextAsync(log) : ""));
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("rspamd did not answer /ping within 90 s");
                }
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private const string Rules = """
        local function subject_has(word)
          return function(task)
            local subject = task:get_subject()
            return subject ~= nil and subject:find(word, 1, true) ~= nil
          end
        end
        rspamd_config:register_symbol{ name = 'GW_TEST_SPAM', score = 6.5, callback = subject_has('rspamd-spam') }
        rspamd_config:register_symbol{ name = 'GW_TEST_REJECT', score = 20.0, callback = subject_has('rspamd-reject') }
        rspamd_config:register_symbol{ name = 'GW_TEST_HAM', score = -5.0, callback = subject_has('rspamd-ham') }
        rspamd_config:register_symbol{ name = 'GW_TEST_ENVELOPE', score = 0.25, callback = function(task)
          local from = task:get_from('smtp')
          local rcpts = task:get_recipients('smtp')
          local ip = task:get_from_ip()
          local qid = task:get_queue_id()
          return from ~= nil and from[1] ~= nil and from[1].addr == 'alice@sender.test'
            and rcpts ~= nil and #rcpts == 2 and rcpts[2].addr == 'carol@ours.test'
            and ip ~= nil and ip:is_valid() and ip:to_string() == '192.0.2.1'
            and task:get_helo() == 'client.example.org'
            and qid ~= nil and qid:find('TESTQUEUE', 1, true) ~= nil
        end }
        """;

    private string Config()
    {
        var dir = _directory;
        var port = Port.ToString(CultureInfo.InvariantCulture);
        return $$"""
            options {
              pidfile = "{{dir}}/rspamd.pid";
              hs_cache_dir = "{{dir}}/hs";
              maps_cache_dir = "{{dir}}/maps";
              url_tld = "{{dir}}/tld.dat";
              lua_path = "/usr/share/rspamd/lualib/?.lua;/usr/share/rspamd/lualib/?/init.lua";
              dns { nameserver = ["127.0.0.1:1"]; timeout = 0.1s; retransmits = 0; }
            }
            logging { type = "file"; filename = "{{dir}}/rspamd.log"; level = "info"; }
            actions { reject = 15; "add header" = 6; greylist = 4; }
            worker "normal" { bind_socket = "127.0.0.1:{{port}}"; count = 1; }
            lua = "{{dir}}/rules.lua";
            """;
    }
}
