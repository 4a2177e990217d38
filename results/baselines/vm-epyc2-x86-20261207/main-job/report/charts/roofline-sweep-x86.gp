# roofline: sweep, backend x86
# Written by hybench report.  Re-plot: cd into this folder, gnuplot roofline-sweep-x86.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'roofline-sweep-x86.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "roofline: sweep, backend x86"
set logscale xy
set xlabel 'arithmetic intensity (FLOP/byte)'
set ylabel 'GFLOP/s'
set format x '%g'
set format y '%g'
set xrange [0.05:2064.75]
set yrange [0.0437608:447.678]
set samples 400
peak = 179.071
dram = 37.4176
l2 = 196.075
l1 = 347.949
roof(x, bw) = (x * bw < peak) ? x * bw : peak
set label 1 sprintf('compute %.4g GFLOP/s', peak) at graph 0.02, first peak * 1.25 tc rgb '#333333'
plot roof(x, dram) with lines lw 2.5 lc rgb '#222222' title sprintf('DRAM %.3g GB/s', dram), \
  roof(x, l2) with lines lw 1.5 dt 2 lc rgb '#777777' title sprintf('L2 %.3g GB/s', l2), \
  roof(x, l1) with lines lw 1.5 dt 3 lc rgb '#aaaaaa' title sprintf('L1 %.3g GB/s', l1), \
  'roofline-sweep-x86.dat' index 0 using 1:2 with points pt 5 ps 1.3 lc rgb '#1f77b4' title "linear", \
  'roofline-sweep-x86.dat' index 1 using 1:2 with points pt 7 ps 1.3 lc rgb '#d62728' title "rmsnorm", \
  'roofline-sweep-x86.dat' index 2 using 1:2 with points pt 9 ps 1.3 lc rgb '#2ca02c' title "conv1d", \
  'roofline-sweep-x86.dat' index 3 using 1:2 with points pt 11 ps 1.3 lc rgb '#ff7f0e' title "scan", \
  'roofline-sweep-x86.dat' index 4 using 1:2 with points pt 5 ps 1.3 lc rgb '#9467bd' title "attention", \
  'roofline-sweep-x86.dat' index 5 using 1:2 with points pt 7 ps 1.3 lc rgb '#8c564b' title "moe", \
  'roofline-sweep-x86.dat' index 6 using 1:2 with points pt 9 ps 1.3 lc rgb '#e377c2' title "mlp"
