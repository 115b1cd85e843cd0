using Gateway.Bench;

return args.Length > 0 && args[0] == "idle"
    ? await IdleConnectionsBenchmark.RunAsync(args[1..]).ConfigureAwait(false)
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: gateway-bench idle --gateway-dll PATH [--connections N] [--samples N]");
    return 2;
}
