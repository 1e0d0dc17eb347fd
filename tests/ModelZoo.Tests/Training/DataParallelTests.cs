using ModelZoo.Training;

namespace ModelZoo.Tests.Training;

/// <summary>
/// Data-parallel training over MPI: <c>mpirun -np N</c> ranks on per-rank batch B equal one process on batch N x B
/// (float64, parameters to 1e-10), and without the gradient all-reduce they do not (negative control). The ranks
/// start from different seeds, so equality also proves the start-up broadcast. Needs Open MPI's <c>mpirun</c>
/// (<c>apt-get install openmpi-bin</c>); without it the MPI tests skip, unless <c>MODELZOO_REQUIRE_MPI=1</c>
/// (set by .ci/run, which installs it), where its absence fails them.
/// </summary>
[NonParallelizable]
public class DataParallelTests
{
    private const string MpiRun = "/usr/bin/mpirun";
    private string _dir = "";

    private static string Worker => Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.MpiWorker", "bin", "Release", "net10.0", "ModelZoo.MpiWorker.dll");

    [OneTimeSetUp]
    public void MakeFolder()
    {
        _dir = Directory.CreateTempSubdirectory("modelzoo-mpi-").FullName;
    }

    [OneTimeTearDown]
    public void RemoveFolder()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static void RequireMpi()
    {
        if (File.Exists(MpiRun)) return;
        if (Environment.GetEnvironmentVariable("MODELZOO_REQUIRE_MPI") == "1") Assert.Fail($"{MpiRun} not found (apt-get install openmpi-bin)");
        Assert.Ignore($"{MpiRun} not found (apt-get install openmpi-bin); the MPI tests were skipped");
    }

    private double[] Train(int processes, int batchPerRank, int steps, bool allReduce = true)
    {
        Assert.That(File.Exists(Worker), Is.True, $"{Worker} is built with the solution (dotnet build ModelZoo.sln -c Release)");
        string output = Path.Combine(_dir, $"np{processes}-b{batchPerRank}-{(allReduce ? "ar" : "none")}.bin");
        var workerArgs = new List<string> { Worker, "--batch", batchPerRank.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output };
        if (!allReduce) workerArgs.Add("--no-allreduce");
        var r = processes == 1
            ? ProcessRunner.Dotnet(workerArgs, _dir, TimeSpan.FromMinutes(3))
            : MpiRunDotnet(processes, workerArgs, _dir);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        TestContext.Out.WriteLine(r.StdOut.Trim());
        byte[] bytes = File.ReadAllBytes(output);
        var values = new double[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>Runs <c>dotnet ARGS</c> as <paramref name="processes"/> MPI ranks on this machine.</summary>
    private static ProcessRunner.Result MpiRunDotnet(int processes, IEnumerable<string> args, string workingDirectory) =>
        ProcessRunner.Run(MpiRun, ["-np", processes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--oversubscribe", "--allow-run-as-root",
            "--bind-to", "none", "dotnet", .. args], workingDirectory, TimeSpan.FromMinutes(3));

    private static double MaxDiff(double[] a, double[] b)
    {
        Assert.That(a, Has.Length.EqualTo(b.Length));
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }

    [Test]
    public void TwoAndFourRanksEqualOneProcessOnTheGlobalBatch()
    {
        RequireMpi();
        var one = Train(1, 32, 6);
        var two = Train(2, 16, 6);
        var four = Train(4, 8, 6);
        double d2 = MaxDiff(one, two), d4 = MaxDiff(one, four);
        TestContext.Out.WriteLine($"max |1 process - 2 ranks| = {d2:E2}, max |1 process - 4 ranks| = {d4:E2}");
        Assert.That(d2, Is.LessThanOrEqualTo(1e-10));
        Assert.That(d4, Is.LessThanOrEqualTo(1e-10));
        Assert.That(MaxDiff(one, Train(1, 16, 6)), Is.GreaterThan(1e-6), "a different global batch gives different weights (the comparison can fail)");
    }

    [Test]
    public void WithoutTheAllReduceTheRanksDiverge()
    {
        RequireMpi();
        var one = Train(1, 32, 6);
        var unsynced = Train(2, 16, 6, allReduce: false);
        Assert.That(MaxDiff(one, unsynced), Is.GreaterThan(1e-6), "negative control: rank 0 alone trained on half the batch");
    }

    private static string Cli => Path.Combine(TestPaths.RepoRoot, "src", "ModelZoo.Cli", "bin", "Release", "net10.0", "ModelZoo.Cli.dll");

    [Test]
    public void MpirunTrainWritesOneRunThatMatchesOneProcessOnTheDoubledBatch()
    {
        RequireMpi();
        string[] common = ["train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "2", "--max-steps", "4", "--dropout", "0",
            "--threads", "1", "--lr", "0.001", "--no-tensorboard"];
        string work = Path.Combine(_dir, "cli");
        Directory.CreateDirectory(work);
        string single = Path.Combine(work, "single"), parallel = Path.Combine(work, "parallel");
        var one = ProcessRunner.Dotnet([Cli, .. common, "--batch-size", "100", "--output", single], work, TimeSpan.FromMinutes(3));
        Assert.That(one.ExitCode, Is.EqualTo(0), one.All);
        var two = MpiRunDotnet(2, [Cli, .. common, "--batch-size", "50", "--output", parallel], work);
        Assert.That(two.ExitCode, Is.EqualTo(0), two.All);
        Assert.That(two.StdOut, Does.Contain("data-parallel: 2 processes").And.Contain("effective batch 100"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(two.StdOut, "^run folder ", System.Text.RegularExpressions.RegexOptions.Multiline), Has.Count.EqualTo(1), "only rank 0 prints");
        Assert.That(Directory.GetFileSystemEntries(work).Select(Path.GetFileName), Is.EquivalentTo(new[] { "single", "parallel" }), "one run folder, nothing else written");
        Assert.That(System.Text.RegularExpressions.Regex.Matches(two.StdOut, "^epoch 2:", System.Text.RegularExpressions.RegexOptions.Multiline), Has.Count.EqualTo(1));

        using var scope = TorchSharp.torch.NewDisposeScope();
        var (a, _) = Checkpoint.LoadModel(Path.Combine(single, "checkpoints", "last.ckpt"));
        var (b, _) = Checkpoint.LoadModel(Path.Combine(parallel, "checkpoints", "last.ckpt"));
        var sb = b.state_dict();
        double max = a.state_dict().Max(kv => (double)(kv.Value - sb[kv.Key]).abs().max().to_type(TorchSharp.torch.ScalarType.Float64).item<double>());
        TestContext.Out.WriteLine($"max |1 process - 2 ranks| over the weights after 8 steps: {max:E2}");
        Assert.That(max, Is.LessThanOrEqualTo(1e-5), "float32 weights agree to rounding");
        var la = File.ReadAllLines(Path.Combine(single, "metrics.jsonl"));
        var lb = File.ReadAllLines(Path.Combine(parallel, "metrics.jsonl"));
        Assert.That(lb, Has.Length.EqualTo(2));
        for (int i = 0; i < 2; i++)
        {
            using var da = System.Text.Json.JsonDocument.Parse(la[i]);
            using var db = System.Text.Json.JsonDocument.Parse(lb[i]);
            foreach (string key in new[] { "train_loss", "train_acc", "val_loss", "val_acc" })
                Assert.That(db.RootElement.GetProperty(key).GetDouble(), Is.EqualTo(da.RootElement.GetProperty(key).GetDouble()).Within(1e-4), $"epoch {i + 1} {key}");
        }
        a.Dispose();
        b.Dispose();

        // Resume under the same mpirun -np 2 for a third epoch: still equal to the single process resumed alike.
        var resumeOne = ProcessRunner.Dotnet([Cli, "train", "--resume", single, "--epochs", "3"], work, TimeSpan.FromMinutes(3));
        var resumeTwo = MpiRunDotnet(2, [Cli, "train", "--resume", parallel, "--epochs", "3"], work);
        Assert.That(resumeOne.ExitCode, Is.EqualTo(0), resumeOne.All);
        Assert.That(resumeTwo.ExitCode, Is.EqualTo(0), resumeTwo.All);
        Assert.That(File.ReadAllLines(Path.Combine(parallel, "metrics.jsonl")), Has.Length.EqualTo(3));
        using (var resumedScope = TorchSharp.torch.NewDisposeScope())
        {
            var (ra, _) = Checkpoint.LoadModel(Path.Combine(single, "checkpoints", "last.ckpt"));
            var (rb, _) = Checkpoint.LoadModel(Path.Combine(parallel, "checkpoints", "last.ckpt"));
            var rsb = rb.state_dict();
            double rmax = ra.state_dict().Max(kv => (double)(kv.Value - rsb[kv.Key]).abs().max().to_type(TorchSharp.torch.ScalarType.Float64).item<double>());
            TestContext.Out.WriteLine($"after resuming for a third epoch: max |1 process - 2 ranks| = {rmax:E2}");
            Assert.That(rmax, Is.LessThanOrEqualTo(1e-5));
            ra.Dispose();
            rb.Dispose();
        }

        // evaluate under mpirun: each rank takes a shard of the 2,000 test digits; the summed report equals one process's.
        var evalOne = ProcessRunner.Dotnet([Cli, "evaluate", "--checkpoint", single, "--threads", "1", "--json", "--output", Path.Combine(work, "eval1")], work, TimeSpan.FromMinutes(3));
        var evalTwo = MpiRunDotnet(2, [Cli, "evaluate", "--checkpoint", single, "--threads", "1", "--json", "--output", Path.Combine(work, "eval2")], work);
        Assert.That(evalOne.ExitCode, Is.EqualTo(0), evalOne.All);
        Assert.That(evalTwo.ExitCode, Is.EqualTo(0), evalTwo.All);
        using (var e1 = System.Text.Json.JsonDocument.Parse(evalOne.StdOut))
        using (var e2 = System.Text.Json.JsonDocument.Parse(evalTwo.StdOut[evalTwo.StdOut.IndexOf('{', StringComparison.Ordinal)..]))
        {
            Assert.That(e2.RootElement.GetProperty("samples").GetInt64(), Is.EqualTo(2000));
            foreach (string key in new[] { "top1", "top5" })
                Assert.That(e2.RootElement.GetProperty(key).GetDouble(), Is.EqualTo(e1.RootElement.GetProperty(key).GetDouble()), key);
            Assert.That(e2.RootElement.GetProperty("loss").GetDouble(), Is.EqualTo(e1.RootElement.GetProperty("loss").GetDouble()).Within(1e-5));
            Assert.That(e2.RootElement.GetProperty("confusion").ToString(), Is.EqualTo(e1.RootElement.GetProperty("confusion").ToString()));
        }

        var noOutput = MpiRunDotnet(2, [Cli, .. common, "--batch-size", "50"], work);
        Assert.That(noOutput.ExitCode, Is.Not.EqualTo(0));
        Assert.That(noOutput.All, Does.Contain("under mpirun give --output DIR"));
    }

    [TestCase("killed")]
    [TestCase("hung")]
    [TestCase("terminated")]
    public void LosingOneRankEndsTheJobNamingIt(string fault)
    {
        RequireMpi();
        string work = Path.Combine(_dir, "fault-" + fault);
        Directory.CreateDirectory(work);
        var psi = new System.Diagnostics.ProcessStartInfo(MpiRun)
        {
            WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["MODELZOO_COLLECTIVE_TIMEOUT"] = "5";
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        foreach (string a in new[] { "-np", "2", "--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "dotnet", Cli, "train", "--model", "deepcnn",
            "--data", "mnist-sample", "--epochs", "50", "--batch-size", "20", "--threads", "1", "--no-tensorboard", "--output", Path.Combine(work, "run") })
            psi.ArgumentList.Add(a);
        using var mpirun = System.Diagnostics.Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        mpirun.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        mpirun.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        mpirun.BeginOutputReadLine();
        mpirun.BeginErrorReadLine();
        try
        {
            // Wait until training runs (rank 0 printed its run folder), then kill rank 1 (a child of mpirun with rank 1 in its environment).
            var until = DateTime.UtcNow.AddMinutes(2);
            while (!Snapshot(output).Contains("run folder", StringComparison.Ordinal) && DateTime.UtcNow < until && !mpirun.HasExited) Thread.Sleep(200);
            Assert.That(mpirun.HasExited, Is.False, Snapshot(output));
            Thread.Sleep(1000);
            int victim = RankPid(mpirun.Id, 1);
            Assert.That(victim, Is.GreaterThan(0), "rank 1's process was found");
            var killedAt = System.Diagnostics.Stopwatch.StartNew();
            // Killed: the process is gone. Hung: stopped (SIGSTOP), so it holds its place but never reaches the next
            // collective; rank 0's watchdog (5 s here) must end the job.
            // Terminated: SIGTERM to mpirun, which forwards it to every rank; they agree on the step and rank 0 writes last.
            if (fault == "killed") System.Diagnostics.Process.GetProcessById(victim).Kill();
            else if (fault == "hung") Assert.That(ProcessRunner.Run("kill", ["-STOP", victim.ToString(System.Globalization.CultureInfo.InvariantCulture)], work, TimeSpan.FromSeconds(10)).ExitCode, Is.Zero);
            else Assert.That(ProcessRunner.Run("kill", ["-TERM", mpirun.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], work, TimeSpan.FromSeconds(10)).ExitCode, Is.Zero);
            bool ended = mpirun.WaitForExit(60_000);
            Assert.That(ended, Is.True, "every rank ends within 60 s of losing one");
            mpirun.WaitForExit();
            TestContext.Out.WriteLine($"mpirun exited {mpirun.ExitCode} {killedAt.Elapsed.TotalSeconds:0.0} s after rank 1 was {fault}");
            Assert.That(mpirun.ExitCode, Is.Not.EqualTo(0));
            if (fault == "terminated")
            {
                Assert.That(Snapshot(output), Does.Contain("SIGTERM received").And.Contain("resume with: mpirun -np 2 "));
                Assert.That(Checkpoint.ReadInfo(Path.Combine(work, "run", "checkpoints", "last.ckpt")).Step, Is.GreaterThan(0), "last was written at the agreed step");
            }
            else if (fault == "killed") Assert.That(Snapshot(output), Does.Contain("rank 1"), "mpirun's message names the lost rank");
            else Assert.That(Snapshot(output), Does.Contain("rank 0 of 2: MPI_Allreduce has waited").And.Contain("hung or lost"), "the waiting rank names itself and the call");
            // Checkpoints are written to a temporary file and renamed: whatever is there under a checkpoint's name is whole.
            foreach (string ckpt in Directory.Exists(Path.Combine(work, "run", "checkpoints")) ? Directory.GetFiles(Path.Combine(work, "run", "checkpoints"), "*.ckpt") : [])
                Assert.DoesNotThrow(() => Checkpoint.ReadInfo(ckpt), $"{ckpt} is a whole checkpoint");
        }
        finally
        {
            if (!mpirun.HasExited) mpirun.Kill(entireProcessTree: true);
        }
    }

    private static string Snapshot(System.Text.StringBuilder sb)
    {
        lock (sb) return sb.ToString();
    }

    /// <summary>The pid of the descendant of <paramref name="root"/> whose environment says OMPI_COMM_WORLD_RANK=<paramref name="rank"/>.</summary>
    private static int RankPid(int root, int rank)
    {
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                if (!IsDescendant(pid, root)) continue;
                string env = File.ReadAllText(Path.Combine(dir, "environ"));
                if (env.Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}") && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("ModelZoo.Cli.dll", StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return -1;
    }

    private static bool IsDescendant(int pid, int root)
    {
        for (int i = 0; i < 16 && pid > 1; i++)
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            if (parent == root) return true;
            pid = parent;
        }
        return false;
    }

    [Test]
    public void ShardsTogetherAreTheOneProcessBatches()
    {
        int[] order = Enumerable.Range(0, 103).ToArray();
        new Random(3).Shuffle(order);
        const int ranks = 3, batch = 4;
        var shards = Enumerable.Range(0, ranks).Select(r => DistributedSharding.Shard(order, r, ranks, batch)).ToList();
        Assert.That(shards.Select(s => s.Length).Distinct(), Is.EqualTo(new[] { 96 / ranks }), "every rank takes the same number of whole batches (103 cut to 96)");
        for (int k = 0; k < 8; k++)
        {
            var together = shards.SelectMany(s => s.Skip(k * batch).Take(batch)).OrderBy(i => i);
            var single = order.Skip(k * ranks * batch).Take(ranks * batch).OrderBy(i => i);
            Assert.That(together, Is.EqualTo(single), $"batch {k}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DistributedSharding.Shard(order, 3, 3, 4));
    }

    [Test]
    public void AllGatherPutsEachRanksValuesInItsSlots()
    {
        var gathered = new SummingPeer(rank: 1, peer: [10, 20]).AllGather([3, 4]);
        Assert.That(gathered, Is.EqualTo(new double[] { 10, 20, 3, 4 }));
        Assert.That(SingleProcessGroup.Instance.AllGather([5, 6]), Is.EqualTo(new double[] { 5, 6 }));
    }

    /// <summary>Two processes where the other one (rank 1 - rank) contributes <c>peer</c>: its all-reduce adds what rank 0 would have filled.</summary>
    private sealed class SummingPeer(int rank, double[] peer) : IProcessGroup
    {
        public int Rank => rank;
        public int WorldSize => 2;
        public int LocalRank => rank;
        public bool IsPrimary => rank == 0;

        public void AllReduceSum(double[] values)
        {
            int offset = (1 - rank) * peer.Length;
            for (int i = 0; i < peer.Length; i++) values[offset + i] += peer[i];
        }

        public void AllReduceSum(TorchSharp.torch.Tensor tensor) => throw new NotSupportedException();
        public void Broadcast(TorchSharp.torch.Tensor tensor, int root = 0) => throw new NotSupportedException();
        public void Barrier() { }
    }

    [Test]
    public void WithOneProcessTheHookAndTheBroadcastChangeNothing()
    {
        using var model = TinyNets.Create();
        var before = TinyNets.Weights(model);
        Assert.That(DistributedSharding.BroadcastModel(model, SingleProcessGroup.Instance), Is.Zero);
        var hook = new GradientAllReduce(SingleProcessGroup.Instance);
        hook.OnGradients(model.parameters().ToList(), 0);
        Assert.That(hook.Calls, Is.Zero);
        Assert.That(TinyNets.Weights(model), Is.EqualTo(before));
    }
}
