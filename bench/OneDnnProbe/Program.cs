// Finds which oneDNN convolutions crash on this CPU: every case runs in its own child process (a SIGFPE kills only
// the child), and the parent prints one line per case with the child's exit status (136 = SIGFPE).
//
//   dotnet OneDnnProbe.dll conv IC OC K STRIDE PAD BATCH H W fp32|bf16 nchw|cl input|weight|both [THREADS]
//       one convolution's forward and backward, computing the gradient of the input, the weight or both
//   dotnet OneDnnProbe.dll model NAME BATCH SIZE fp32|bf16 nchw|cl [THREADS]
//       one training step of a zoo model as the library builds it (MODELZOO_ONEDNN=on: without the guard)
//   dotnet OneDnnProbe.dll sweep OUT.tsv [BATCHES] [THREADS]
//       every convolution of every zoo model at its real input shape (found with forward hooks at the card's input
//       size), for each batch size (default 1,8,32), fp32/bf16 and NCHW/channels-last, forward and backward of input
//       and weight: many cases per child process, restarted after the case that crashed; one TSV row per case
using System.Diagnostics;
using System.Globalization;
using ModelZoo;
using TorchSharp;
using static TorchSharp.torch;

var inv = CultureInfo.InvariantCulture;
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: OneDnnProbe conv ... | model ... | sweep OUT.tsv [BATCHES] [THREADS] | list CASES OUT.tsv (see the comment at the top of Program.cs)");
    return 2;
}
switch (args[0])
{
    case "conv":
        {
            long[] n = args[1..9].Select(a => long.Parse(a, inv)).ToArray();
            var (ic, oc, k, stride, pad, batch, h, w) = (n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]);
            var dtype = args[9] == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
            bool cl = args[10] == "cl";
            string grads = args[11];
            torch.set_num_threads(args.Length > 12 ? int.Parse(args[12], inv) : 2);
            var x = randn(batch, ic, h, w).to_type(dtype);
            var weight = randn(oc, ic, k, k).mul(0.1).to_type(dtype);
            if (cl) { x = ChannelsLast.Convert(x); weight = ChannelsLast.Convert(weight); }
            x.requires_grad = grads is "input" or "both";
            weight.requires_grad = grads is "weight" or "both";
            var y = nn.functional.conv2d(x, weight, strides: [stride, stride], padding: [pad, pad]);
            y.to_type(ScalarType.Float32).sum().backward();
            Console.WriteLine($"ok {y.shape[2]}x{y.shape[3]}");
            return 0;
        }
    case "model":
        {
            string name = args[1];
            int batch = int.Parse(args[2], inv), size = int.Parse(args[3], inv);
            var precision = PrecisionSupport.Parse(args[4]);
            bool cl = args[5] == "cl";
            torch.set_num_threads(args.Length > 6 ? int.Parse(args[6], inv) : 2);
            using var net = Zoo.Create(name, new ModelOptions { NumClasses = 10 });
            net.train();
            if (cl) ChannelsLast.Apply(net);
            var x = randn(batch, 3, size, size);
            if (cl) x = ChannelsLast.Convert(x);
            Tensor logits;
            using (Autocast.Enter(precision)) logits = net.call(x);
            nn.functional.cross_entropy(logits.to_type(ScalarType.Float32), randint(0, 10, batch)).backward();
            int replaced = net.modules().OfType<ModelZoo.Blocks.PointwiseConv2d>().Count();
            Console.WriteLine($"ok (oneDNN {(TorchRuntime.OneDnnDisabledReason is null ? "on" : "off")}, {replaced} PointwiseConv2d)");
            return 0;
        }
    case "sweep":
        {
            string output = args[1];
            int[] batches = (args.Length > 2 ? args[2] : "1,8,32").Split(',').Select(b => int.Parse(b, inv)).ToArray();
            string threads = args.Length > 3 ? args[3] : "2";
            var shapes = new SortedSet<string>(StringComparer.Ordinal);
            foreach (string name in Zoo.Names)
            {
                var card = Zoo.Card(name);
                var (c, h, w) = card.DefaultInput;
                using var net = Zoo.Create(name);
                net.eval();
                var hooks = new List<Action>();
                foreach (var (_, m) in net.named_modules())
                {
                    if (m is not TorchSharp.Modules.Conv2d conv) continue;
                    var remover = conv.register_forward_hook((_, x, y) =>
                    {
                        shapes.Add(string.Join(' ', new long[] { conv.in_channels, conv.out_channels, conv.kernel_size[0], conv.stride[0], conv.padding![0], x.shape[2], x.shape[3] }.Select(v => v.ToString(inv))));
                        return y;
                    });
                    hooks.Add(() => remover.remove());
                }
                using (no_grad()) using (var scope = NewDisposeScope()) net.call(zeros(1, c, h, w));
                foreach (var remove in hooks) remove();
            }
            var cases = new List<string>();
            foreach (var shape in shapes)
                foreach (int batch in batches)
                    foreach (var dtype in new[] { "fp32", "bf16" })
                        foreach (var layout in new[] { "nchw", "cl" })
                        {
                            var s = shape.Split(' ');
                            cases.Add($"{s[0]} {s[1]} {s[2]} {s[3]} {s[4]} {batch} {s[5]} {s[6]} {dtype} {layout} both {threads}");
                        }
            Console.WriteLine($"{shapes.Count} convolution shapes, {cases.Count} cases");
            return RunCases(cases, output);
        }
    case "list":
        {
            // A hand-made case file: one "IN OUT K STRIDE PAD BATCH H W fp32|bf16 nchw|cl input|weight|both THREADS" per line.
            var cases = File.ReadAllLines(args[1]).Where(l => l.Trim().Length > 0 && !l.StartsWith('#')).ToList();
            return RunCases(cases, args[2]);
        }
    case "cases":
        {
            var lines = File.ReadAllLines(args[1]);
            for (int i = int.Parse(args[2], inv); i < lines.Length; i++)
            {
                Console.Out.WriteLine($"begin {i}");
                Console.Out.Flush();
                var n = lines[i].Split(' ');
                long[] v = n[..8].Select(a => long.Parse(a, inv)).ToArray();
                torch.set_num_threads(int.Parse(n[11], inv));
                using var scope = NewDisposeScope();
                var dtype = n[8] == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
                var x = randn(v[5], v[0], v[6], v[7]).to_type(dtype);
                var weight = randn(v[1], v[0], v[2], v[2]).mul(0.1).to_type(dtype);
                if (n[9] == "cl") { x = ChannelsLast.Convert(x); weight = ChannelsLast.Convert(weight); }
                x.requires_grad = n[10] is "input" or "both";
                weight.requires_grad = n[10] is "weight" or "both";
                var y = nn.functional.conv2d(x, weight, strides: [v[3], v[3]], padding: [v[4], v[4]]);
                y.to_type(ScalarType.Float32).sum().backward();
                Console.Out.WriteLine($"ok {i}");
                Console.Out.Flush();
            }
            return 0;
        }
    default:
        // Any other arguments: run them as one child case (for a hand-made list of cases in a script).
        Run(string.Join(' ', args));
        return 0;
}


int RunCases(List<string> cases, string output)
{
    string list = Path.GetTempFileName();
    File.WriteAllLines(list, cases);
    using var tsv = new StreamWriter(output);
    tsv.WriteLine("in\tout\tk\tstride\tpad\tbatch\th\tw\tdtype\tlayout\tgrads\tthreads\tresult");
    int next = 0;
    while (next < cases.Count)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in new[] { "cases", list, next.ToString(inv) }) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        child.ErrorDataReceived += (_, _) => { }; // libtorch's warnings, drained so the child never blocks on them
        child.BeginErrorReadLine();
        int begun = -1;
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null)
        {
            var parts = line.Split(' ');
            if (parts[0] == "begin") begun = int.Parse(parts[1], inv);
            else if (parts[0] == "ok") { tsv.WriteLine(cases[begun].Replace(' ', '\t') + "\tok"); next = begun + 1; }
        }
        child.WaitForExit();
        if (child.ExitCode == 0 && next >= cases.Count) break;
        if (begun < next) { Console.Error.WriteLine($"child failed before case {next}: exit {child.ExitCode}"); return 1; }
        string verdict = child.ExitCode == 136 ? "SIGFPE" : $"exit {child.ExitCode}";
        Console.WriteLine($"{verdict,-7} {cases[begun]}");
        tsv.WriteLine(cases[begun].Replace(' ', '\t') + "\t" + verdict);
        tsv.Flush();
        next = begun + 1;
    }
    File.Delete(list);
    return 0;
}

void Run(string arguments)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(typeof(Program).Assembly.Location);
    foreach (var a in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(a);
    var watch = Stopwatch.StartNew();
    using var child = Process.Start(start)!;
    string stdout = child.StandardOutput.ReadToEnd();
    string stderr = child.StandardError.ReadToEnd();
    child.WaitForExit();
    int code = child.ExitCode;
    string verdict = code == 0 ? "ok" : code == 136 || code == 128 + 8 ? "SIGFPE" : $"exit {code}";
    string detail = (stdout + stderr).Trim().Split('\n').LastOrDefault() ?? "";
    Console.WriteLine(string.Create(inv, $"{verdict,-7} {arguments}  ({watch.Elapsed.TotalSeconds:F1} s) {(code == 0 ? "" : detail)}"));
}
