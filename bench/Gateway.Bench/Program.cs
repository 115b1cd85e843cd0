using Gateway.Bench;

return args.Length > 0 && args[0] == "idle" ? await IdleConnectionsBenchmark.RunAsync(args[1..]).ConfigureAwait(false)
    : args.Length > 0 && args[0] == "relay" ? await RelayBenchmark.RunAsync(args[1..]).ConfigureAwait(false)
    : args.Length > 0 && args[0] == "auth" ? await AuthBenchmark.RunAsync(args[1..]).ConfigureAwait(false)
    : args.Length > 0 && args[0] == "tls" ? await TlsBenchmark.RunAsync(args[1..]).ConfigureAwait(false)
    : args.Length > 0 && args[0] == "smime" ? await SmimeBenchmark.RunAsync(args[1..]).ConfigureAwait(false)
    : args.Length > 0 && args[0] == "spam-corpus" ? await SpamCorpusBenchmark.RunAsync(args[1..]).ConfigureAwait(false)
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("""
        usage: gateway-bench idle --gateway PATH [--connections N] [--samples N] [--no-postfix]
               gateway-bench relay --gateway PATH [--messages N] [--timeout SECONDS] [--no-postfix] [--no-gateway] [--full-policy CORPUS_DIR]
               gateway-bench auth --gateway PATH [--messages N] [--rounds N] [--only spf|dkim|arc|dmarc | --except spf|dkim|arc|dmarc] [--content CORPUS_DIR]
               gateway-bench tls --gateway PATH --ca PEM --cert PEM --key PEM [--messages N] [--sessions N] [--rounds N] [--concurrency N] [--timeout SECONDS] [--no-relay] [--no-starttls]
               gateway-bench smime [--seconds S]
               gateway-bench spam-corpus --corpus DIR [--dev-only] [--no-spamassassin] [--folds N] [--scores FILE] [--splits (with --dev-only)]
        """);
    return 2;
}
