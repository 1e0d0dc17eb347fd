using System.Globalization;
using ModelZoo.Data;
using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

// Data-parallel equivalence worker. Under mpirun every rank trains a float64 MLP on its shard of real MNIST digits
// (DistributedSharding.Shard) with its gradients averaged by GradientAllReduce; started alone it is the one-process
// reference on the global batch. Each rank seeds its model differently, so equal results also prove the start-up
// broadcast. Rank 0 writes the final parameters (float64, little-endian) to --out.
//
//   ModelZoo.MpiWorker --batch B --steps S --out FILE [--no-allreduce]
var arguments = args.Select((a, i) => (a, i)).ToDictionary(p => p.a, p => p.i);
string Arg(string name) => args[arguments[name] + 1];
int batch = int.Parse(Arg("--batch"), CultureInfo.InvariantCulture);
int steps = int.Parse(Arg("--steps"), CultureInfo.InvariantCulture);
string output = Arg("--out");
bool allReduce = !arguments.ContainsKey("--no-allreduce");

using var group = MpiProcessGroup.IsLaunchedByMpi ? MpiProcessGroup.Create() : null;
IProcessGroup processes = group ?? (IProcessGroup)SingleProcessGroup.Instance;
torch.set_num_threads(1);
torch.manual_seed(100 + processes.Rank);
using var model = nn.Sequential(("fc1", nn.Linear(784, 32)), ("act", nn.Tanh()), ("fc2", nn.Linear(32, 10)));
model.to(float64);
DistributedSharding.BroadcastModel(model, processes);

var train = DataSpec.Resolve("mnist-sample").Train;
int[] order = Enumerable.Range(0, 512).ToArray();
new Random(7).Shuffle(order);
int[] shard = DistributedSharding.Shard(order, processes.Rank, processes.WorldSize, batch);
var parameters = model.parameters().ToList();
using var optimizer = torch.optim.SGD(parameters, 0.1, momentum: 0.9);
var hook = new GradientAllReduce(processes, bucketBytes: 16 * 1024); // several buckets for this small model
for (int step = 0; step < steps; step++)
{
    using var scope = NewDisposeScope();
    int[] indices = shard.Skip(step * batch).Take(batch).ToArray();
    var images = indices.Select(i => train.Get(i)).ToList();
    var x = tensor(images.SelectMany(s => s.Image.Data.Select(v => (double)v)).ToArray(), [batch, 784]);
    var y = tensor(images.Select(s => (long)s.Label).ToArray());
    optimizer.zero_grad();
    var loss = nn.functional.cross_entropy(model.call(x), y);
    loss.backward();
    if (allReduce) hook.OnGradients(parameters, step);
    optimizer.step();
}

if (processes.IsPrimary)
{
    using var file = new BinaryWriter(File.Create(output));
    foreach (var p in model.parameters())
        foreach (double v in p.detach().flatten().data<double>().ToArray()) file.Write(v);
    Console.WriteLine($"rank 0 of {processes.WorldSize}: {steps} steps of {batch} per rank, {hook.Calls} all-reduce calls ({(group?.Library ?? "no MPI")})");
}
